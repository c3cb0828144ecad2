//! Tile geometry in integer tile units: snapping, topology-keeping simplification, clipping
//! to the buffered tile and ring clean-up and orientation (MVT 2.1 winding).
//!
//! Everything works in *world* tile units of one zoom (x east, y south, integers), so the
//! same source vertex snaps to the same integer in every tile and neighbouring tiles agree.
//! Simplification runs on a whole feature before clipping, so it does not depend on which
//! tile asked. Vertices shared by two features of a layer ("locked") are never removed and
//! simplification only runs between locked vertices, so a boundary two plots share stays
//! vertex-for-vertex identical in both plots at every zoom: no gaps, no overlaps.

/// A point in world tile units at one zoom.
pub type P = (i64, i64);

/// A vertex after snapping, with whether another feature of the layer shares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vertex {
    pub at: P,
    pub locked: bool,
}

/// The buffered tile in world tile units, bounds inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClipRect {
    pub min_x: i64,
    pub min_y: i64,
    pub max_x: i64,
    pub max_y: i64,
}

impl ClipRect {
    pub fn contains(&self, p: P) -> bool {
        p.0 >= self.min_x && p.0 <= self.max_x && p.1 >= self.min_y && p.1 <= self.max_y
    }

    /// Whether a box (min, max) can touch the rectangle at all.
    pub fn touches(&self, min: P, max: P) -> bool {
        min.0 <= self.max_x && max.0 >= self.min_x && min.1 <= self.max_y && max.1 >= self.min_y
    }
}

/// Douglas–Peucker between fixed anchors: keeps `first` and `last`, and the farthest vertex
/// between them while it is farther than `tolerance` from the chord.
fn douglas_peucker(points: &[P], tolerance: f64, keep: &mut [bool]) {
    if points.len() < 3 {
        return;
    }
    let (a, b) = (points[0], points[points.len() - 1]);
    let mut worst = (0usize, 0.0f64);
    for (i, &p) in points.iter().enumerate().take(points.len() - 1).skip(1) {
        let d = distance_to_segment(p, a, b);
        if d > worst.1 {
            worst = (i, d);
        }
    }
    if worst.1 > tolerance {
        keep[worst.0] = true;
        douglas_peucker(&points[..=worst.0], tolerance, &mut keep[..=worst.0]);
        douglas_peucker(&points[worst.0..], tolerance, &mut keep[worst.0..]);
    }
}

fn distance_to_segment(p: P, a: P, b: P) -> f64 {
    let (px, py) = (p.0 as f64, p.1 as f64);
    let (ax, ay) = (a.0 as f64, a.1 as f64);
    let (bx, by) = (b.0 as f64, b.1 as f64);
    let (dx, dy) = (bx - ax, by - ay);
    let len2 = dx * dx + dy * dy;
    if len2 == 0.0 {
        return (px - ax).hypot(py - ay);
    }
    let t = (((px - ax) * dx + (py - ay) * dy) / len2).clamp(0.0, 1.0);
    (px - (ax + t * dx)).hypot(py - (ay + t * dy))
}

/// Simplifies an open path, keeping its ends and every locked vertex.
pub fn simplify_path(vertices: &[Vertex], tolerance: f64) -> Vec<P> {
    let points: Vec<P> = vertices.iter().map(|v| v.at).collect();
    let mut keep: Vec<bool> = vertices.iter().map(|v| v.locked).collect();
    let n = keep.len();
    if n == 0 {
        return Vec::new();
    }
    keep[0] = true;
    keep[n - 1] = true;
    simplify_between_anchors(&points, &mut keep, tolerance);
    kept(points, keep)
}

/// The points marked to keep, without repeats (in place: a tile calls this per ring).
fn kept(mut points: Vec<P>, keep: Vec<bool>) -> Vec<P> {
    let mut marks = keep.into_iter();
    points.retain(|_| marks.next().unwrap_or(false));
    points.dedup();
    points
}

/// Simplifies a closed ring (given without its closing vertex), keeping every locked vertex.
pub fn simplify_ring(vertices: &[Vertex], tolerance: f64) -> Vec<P> {
    let n = vertices.len();
    if n < 4 {
        return vertices.iter().map(|v| v.at).collect();
    }
    // Start at a locked vertex when there is one, so the anchors are the same for every
    // feature that shares it; otherwise at the first vertex, with the vertex farthest from
    // it as the second anchor (deterministic: it depends only on the source ring).
    let start = vertices.iter().position(|v| v.locked).unwrap_or(0);
    let mut points: Vec<P> = (0..=n).map(|i| vertices[(start + i) % n].at).collect();
    let mut keep: Vec<bool> = (0..=n).map(|i| vertices[(start + i) % n].locked).collect();
    keep[0] = true;
    keep[n] = true;
    if !keep[1..n].iter().any(|k| *k) {
        let far = (1..n)
            .max_by(|&i, &j| {
                let di = sq_dist(points[i], points[0]);
                let dj = sq_dist(points[j], points[0]);
                di.cmp(&dj).then(j.cmp(&i))
            })
            .unwrap_or(n / 2);
        keep[far] = true;
    }
    simplify_between_anchors(&points, &mut keep, tolerance);
    points.pop();
    keep.pop();
    kept(points, keep)
}

fn simplify_between_anchors(points: &[P], keep: &mut [bool], tolerance: f64) {
    let anchors: Vec<usize> = (0..keep.len()).filter(|&i| keep[i]).collect();
    for pair in anchors.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        douglas_peucker(&points[a..=b], tolerance, &mut keep[a..=b]);
    }
}

fn sq_dist(a: P, b: P) -> i128 {
    let dx = i128::from(a.0 - b.0);
    let dy = i128::from(a.1 - b.1);
    dx * dx + dy * dy
}

/// Twice the signed area by the surveyor's formula in tile coordinates (y down): positive
/// for a ring that looks clockwise on screen, which MVT 2.1 calls an exterior ring.
pub fn area2(ring: &[P]) -> i128 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            i128::from(a.0) * i128::from(b.1) - i128::from(b.0) * i128::from(a.1)
        })
        .sum()
}

fn cross(o: P, a: P, b: P) -> i128 {
    i128::from(a.0 - o.0) * i128::from(b.1 - o.1) - i128::from(a.1 - o.1) * i128::from(b.0 - o.0)
}

fn dot(o: P, a: P, b: P) -> i128 {
    i128::from(a.0 - o.0) * i128::from(b.0 - o.0) + i128::from(a.1 - o.1) * i128::from(b.1 - o.1)
}

/// Removes repeated vertices and spikes (a vertex where the ring turns straight back), then
/// refuses rings with fewer than 3 vertices or no area.
pub fn clean_ring(mut ring: Vec<P>) -> Option<Vec<P>> {
    loop {
        let before = ring.len();
        ring.dedup();
        while ring.len() > 1 && ring.first() == ring.last() {
            ring.pop();
        }
        let n = ring.len();
        if n < 3 {
            return None;
        }
        // Drop the first spike found; repeat until none is left (rings are short).
        let spike = (0..n).find(|&i| {
            let (prev, here, next) = (ring[(i + n - 1) % n], ring[i], ring[(i + 1) % n]);
            cross(prev, here, next) == 0 && dot(here, prev, next) >= 0
        });
        match spike {
            Some(i) => {
                ring.remove(i);
            }
            None if ring.len() == before => break,
            None => {}
        }
    }
    (area2(&ring) != 0).then_some(ring)
}

/// Orients a ring: clockwise on screen (positive area) for exteriors, counter-clockwise for
/// holes.
pub fn orient(mut ring: Vec<P>, exterior: bool) -> Vec<P> {
    if (area2(&ring) > 0) != exterior {
        ring.reverse();
    }
    ring
}

/// Where segment a–b crosses the vertical x = `at` (or, with `vertical` false, the
/// horizontal y = `at`). Computed from the endpoints in a fixed order, so the two plots that
/// share a segment (and walk it in opposite directions) get the very same point.
fn crossing(a: P, b: P, at: i64, vertical: bool) -> P {
    let (p, q) = if a <= b { (a, b) } else { (b, a) };
    let (pu, pv, qu, qv) = if vertical {
        (p.0, p.1, q.0, q.1)
    } else {
        (p.1, p.0, q.1, q.0)
    };
    let num = i128::from(qv - pv) * i128::from(at - pu);
    let den = i128::from(qu - pu);
    let v = if den == 0 {
        pv
    } else {
        pv + round_div(num, den) as i64
    };
    if vertical {
        (at, v)
    } else {
        (v, at)
    }
}

/// num / den rounded to the nearest integer (halves away from zero).
fn round_div(num: i128, den: i128) -> i128 {
    let (num, den) = if den < 0 { (-num, -den) } else { (num, den) };
    if num >= 0 {
        (2 * num + den) / (2 * den)
    } else {
        -((-2 * num + den) / (2 * den))
    }
}

#[derive(Clone, Copy)]
enum Edge {
    MinX(i64),
    MaxX(i64),
    MinY(i64),
    MaxY(i64),
}

impl Edge {
    fn inside(self, p: P) -> bool {
        match self {
            Edge::MinX(v) => p.0 >= v,
            Edge::MaxX(v) => p.0 <= v,
            Edge::MinY(v) => p.1 >= v,
            Edge::MaxY(v) => p.1 <= v,
        }
    }

    fn cross(self, a: P, b: P) -> P {
        match self {
            Edge::MinX(v) | Edge::MaxX(v) => crossing(a, b, v, true),
            Edge::MinY(v) | Edge::MaxY(v) => crossing(a, b, v, false),
        }
    }
}

fn edges(rect: ClipRect) -> [Edge; 4] {
    [
        Edge::MinX(rect.min_x),
        Edge::MaxX(rect.max_x),
        Edge::MinY(rect.min_y),
        Edge::MaxY(rect.max_y),
    ]
}

/// Clips a ring to the rectangle (Sutherland–Hodgman; the rectangle is convex, so the
/// result is one ring, possibly running along the rectangle's edge).
pub fn clip_ring(ring: &[P], rect: ClipRect) -> Vec<P> {
    if ring.iter().all(|&p| rect.contains(p)) {
        return ring.to_vec();
    }
    let mut current = ring.to_vec();
    for edge in edges(rect) {
        let n = current.len();
        if n == 0 {
            break;
        }
        let mut next = Vec::with_capacity(n + 4);
        for i in 0..n {
            let (a, b) = (current[(i + n - 1) % n], current[i]);
            match (edge.inside(a), edge.inside(b)) {
                (true, true) => next.push(b),
                (true, false) => next.push(edge.cross(a, b)),
                (false, true) => {
                    next.push(edge.cross(a, b));
                    next.push(b);
                }
                (false, false) => {}
            }
        }
        current = next;
    }
    current
}

/// Clips a path to the rectangle, returning the pieces inside it.
pub fn clip_path(path: &[P], rect: ClipRect) -> Vec<Vec<P>> {
    let mut pieces: Vec<Vec<P>> = Vec::new();
    let mut current: Vec<P> = Vec::new();
    for pair in path.windows(2) {
        match clip_segment(pair[0], pair[1], rect) {
            Some((a, b)) => {
                if current.last() != Some(&a) {
                    if current.len() >= 2 {
                        pieces.push(std::mem::take(&mut current));
                    }
                    current.clear();
                    current.push(a);
                }
                if current.last() != Some(&b) {
                    current.push(b);
                }
            }
            None => {
                if current.len() >= 2 {
                    pieces.push(std::mem::take(&mut current));
                }
                current.clear();
            }
        }
    }
    if current.len() >= 2 {
        pieces.push(current);
    }
    pieces
}

fn clip_segment(mut a: P, mut b: P, rect: ClipRect) -> Option<(P, P)> {
    for edge in edges(rect) {
        match (edge.inside(a), edge.inside(b)) {
            (true, true) => {}
            (false, false) => return None,
            (true, false) => b = edge.cross(a, b),
            (false, true) => a = edge.cross(a, b),
        }
    }
    Some((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn free(points: &[P]) -> Vec<Vertex> {
        points
            .iter()
            .map(|&at| Vertex { at, locked: false })
            .collect()
    }

    #[test]
    fn simplification_keeps_locked_vertices_and_drops_small_wiggles() {
        let mut ring = free(&[(0, 0), (50, 1), (100, 0), (100, 100), (0, 100)]);
        assert_eq!(simplify_ring(&ring, 1.5).len(), 4);
        ring[1].locked = true;
        assert!(simplify_ring(&ring, 1.5).contains(&(50, 1)));
    }

    #[test]
    fn clean_ring_drops_spikes_and_flat_rings() {
        let spiky = vec![(0, 0), (10, 0), (20, 0), (10, 0), (10, 10), (0, 10)];
        let cleaned = clean_ring(spiky).unwrap();
        assert!(!cleaned.contains(&(20, 0)), "{cleaned:?}");
        assert_eq!(clean_ring(vec![(0, 0), (5, 5), (10, 10)]), None);
        assert_eq!(clean_ring(vec![(0, 0), (0, 0), (1, 0)]), None);
    }

    #[test]
    fn shared_segments_clip_to_the_same_point_in_both_directions() {
        let rect = ClipRect {
            min_x: 0,
            min_y: 0,
            max_x: 100,
            max_y: 100,
        };
        let (a, b) = ((-7, 3), (53, 91));
        assert_eq!(
            clip_segment(a, b, rect),
            clip_segment(b, a, rect).map(|(p, q)| (q, p))
        );
        let square = vec![(-10, -10), (50, -10), (50, 50), (-10, 50)];
        let clipped = clean_ring(clip_ring(&square, rect)).unwrap();
        assert_eq!(area2(&clipped).abs(), 2 * 50 * 50);
    }

    #[test]
    fn orientation_follows_mvt() {
        // On screen (y down) (0,0) → (10,0) → (10,10) is clockwise.
        let ring = vec![(0, 0), (0, 10), (10, 10), (10, 0)];
        assert!(area2(&orient(ring.clone(), true)) > 0);
        assert!(area2(&orient(ring, false)) < 0);
    }
}
