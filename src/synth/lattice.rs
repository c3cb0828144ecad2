//! The synthetic cadastre's geometry: a jittered lattice of cells in EPSG:7801 metres
//! (easting, northing), in one of two [`Shape`]s: the province (warped towards the towns so
//! plots are denser near them, sparse fields between) or a dense, uniform cadastre (every
//! cell about 70 m across, as in a town's industrial quarter, so every tile is full).
//!
//! Everything is a pure function of the seed and the cell indices (a hash, not a stream of
//! random numbers), so any cell, edge or road can be computed alone, in any order, and the
//! same seed always gives the same coordinates.

/// A town the plots crowd around.
#[derive(Debug, Clone, Copy)]
pub struct Settlement {
    pub name: &'static str,
    /// Five-digit EKATTE code used for the plots nearest this town.
    pub ekatte: u32,
    pub lat: f64,
    pub lon: f64,
    /// Radius of the crowding, m.
    pub radius_m: f64,
}

/// Towns of Stara Zagora province. Stara Zagora (68850) and Elenino (27214) carry the codes
/// the zone's real data uses; the others are believed to be the towns' EKATTE codes but
/// were not checked against the register — the benchmark only needs well-formed codes.
pub const SETTLEMENTS: [Settlement; 11] = [
    town("гр. Стара Загора", 68850, 42.4258, 25.6345, 3000.0),
    town("гр. Казанлък", 35167, 42.6194, 25.3930, 2500.0),
    town("гр. Чирпан", 81010, 42.1997, 25.3244, 1500.0),
    town("гр. Раднево", 61460, 42.2897, 25.9342, 1500.0),
    town("гр. Гълъбово", 14313, 42.1431, 25.8575, 1500.0),
    town("гр. Гурково", 18099, 42.6617, 25.7967, 1000.0),
    town("гр. Павел баня", 55302, 42.5964, 25.2011, 1000.0),
    town("гр. Мъглиж", 46045, 42.6000, 25.5500, 1000.0),
    town("гр. Николаево", 51740, 42.6333, 25.8000, 1000.0),
    town("с. Братя Даскалови", 6361, 42.3000, 25.2167, 800.0),
    town("с. Еленино", 27214, 42.3700, 25.6500, 800.0),
];

const fn town(name: &'static str, ekatte: u32, lat: f64, lon: f64, radius_m: f64) -> Settlement {
    Settlement {
        name,
        ekatte,
        lat,
        lon,
        radius_m,
    }
}

impl Settlement {
    /// The town centre in EPSG:7801 (easting, northing), by a local linear approximation
    /// around Stara Zagora (good to a few hundred metres over the province: enough to place
    /// invented plots).
    pub fn position(&self) -> (f64, f64) {
        (
            511_068.0 + (self.lon - 25.6345) * 82_200.0,
            4_698_944.0 + (self.lat - 42.4258) * 111_130.0,
        )
    }
}

/// Cells per block across (11 plots and one road corridor) and up (7 plots and one corridor).
pub const BLOCK_COLS: usize = 12;
pub const BLOCK_ROWS: usize = 8;
/// Plots per block.
pub const PLOTS_PER_BLOCK: usize = (BLOCK_COLS - 1) * (BLOCK_ROWS - 1);
/// The layout of the plots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Shape {
    /// Stara Zagora province: plots of ≈ 200 m² in town centres up to ≈ 40,000 m² in the
    /// fields, so most tiles are sparse and rural.
    #[default]
    Province,
    /// A uniform, dense cadastre: cells of about 70 m × 70 m with jittered corners and
    /// shared edges, 4–16 vertices each, no crowding (a z14 tile holds several hundred).
    Dense,
}

impl Shape {
    /// Lattice spacing (far from towns, for the province), m.
    fn cell(self) -> (f64, f64) {
        match self {
            // far-field plots are about 100 m × 150 m
            Shape::Province => (100.0, 150.0),
            Shape::Dense => (70.0, 70.0),
        }
    }

    /// Most extra vertices on one edge (a plot has 4 corners and up to 4 × this many more).
    fn max_edge_points(self) -> u64 {
        match self {
            Shape::Province => 5,
            Shape::Dense => 3,
        }
    }
}
/// How far a lattice corner may move from its place, as a fraction of the spacing.
const JITTER: f64 = 0.1;
/// How much a town centre shrinks the plots (linear factor).
const CROWDING: f64 = 0.15;
/// Sideways offset of extra boundary vertices, as a fraction of the edge's length.
const BEND: f64 = 0.02;

/// The lattice for one benchmark cadastre.
#[derive(Debug, Clone)]
pub struct Lattice {
    seed: u64,
    shape: Shape,
    /// Cell spacing, m (easting, northing).
    cell: (f64, f64),
    /// Plots to write.
    pub plots: usize,
    /// Blocks across and up.
    pub blocks_x: usize,
    pub blocks_y: usize,
    origin: (f64, f64),
    towns: Vec<((f64, f64), f64)>,
    /// For each block (row-major): the settlement index and its cadastral region number.
    regions: Vec<(usize, u32)>,
}

/// A 64-bit mix (SplitMix64's finaliser) of the seed and a cell's coordinates.
fn hash(seed: u64, salt: u64, i: usize, j: usize) -> u64 {
    let mut z = seed
        ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15)
        ^ (i as u64).wrapping_mul(0xbf58_476d_1ce4_e5b9)
        ^ (j as u64).wrapping_mul(0x94d0_49bb_1331_11eb);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A number in [-1, 1) from a hash.
fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 52) as f64 - 1.0
}

impl Lattice {
    pub fn new(plots: usize, seed: u64, shape: Shape) -> Lattice {
        let cell = shape.cell();
        let blocks = plots.div_ceil(PLOTS_PER_BLOCK).max(1);
        // Roughly square in metres: a block is 1200 m × 1200 m far from towns.
        let blocks_x = ((blocks as f64).sqrt().ceil() as usize).max(1);
        let blocks_y = blocks.div_ceil(blocks_x);
        let sz = SETTLEMENTS[0].position();
        let width = (blocks_x * BLOCK_COLS + 1) as f64 * cell.0;
        let height = (blocks_y * BLOCK_ROWS + 1) as f64 * cell.1;
        // The dense shape is uniform: no town pulls its plots together.
        let towns = match shape {
            Shape::Province => SETTLEMENTS
                .iter()
                .map(|s| (s.position(), s.radius_m))
                .collect(),
            Shape::Dense => Vec::new(),
        };
        let mut lattice = Lattice {
            seed,
            shape,
            cell,
            plots,
            blocks_x,
            blocks_y,
            origin: (sz.0 - width / 2.0, sz.1 - height / 2.0),
            towns,
            regions: Vec::new(),
        };
        lattice.regions = lattice.assign_regions();
        lattice
    }

    /// Cells across (corridor columns included) and up.
    pub fn cols(&self) -> usize {
        self.blocks_x * BLOCK_COLS + 1
    }

    pub fn rows(&self) -> usize {
        self.blocks_y * BLOCK_ROWS + 1
    }

    /// Whether a cell is a road corridor rather than a plot.
    pub fn is_corridor(i: usize, j: usize) -> bool {
        i % BLOCK_COLS == 0 || j % BLOCK_ROWS == 0
    }

    /// Lattice corner (i, j), 0 ≤ i ≤ cols, 0 ≤ j ≤ rows, in EPSG:7801 metres.
    pub fn corner(&self, i: usize, j: usize) -> (f64, f64) {
        let (w, h) = self.cell;
        let jx = unit(hash(self.seed, 1, i, j)) * JITTER * w;
        let jy = unit(hash(self.seed, 2, i, j)) * JITTER * h;
        let x = self.origin.0 + i as f64 * w + jx;
        let y = self.origin.1 + j as f64 * h + jy;
        self.warp(x, y)
    }

    /// Pulls a point towards each town: a radial contraction r → r·h(r) with
    /// h(r) = 1 − (1 − CROWDING)·exp(−(r/R)²), which is monotonic, so the lattice never folds.
    fn warp(&self, mut x: f64, mut y: f64) -> (f64, f64) {
        for &((cx, cy), radius) in &self.towns {
            let (dx, dy) = (x - cx, y - cy);
            let q = (dx * dx + dy * dy) / (radius * radius);
            if q > 40.0 {
                continue; // exp(−40) changes nothing
            }
            let h = 1.0 - (1.0 - CROWDING) * (-q).exp();
            x = cx + dx * h;
            y = cy + dy * h;
        }
        (x, y)
    }

    /// The extra vertices of the edge from corner `from` to its right (`up == false`) or
    /// upper (`up == true`) neighbour, in that direction. Both plots sharing the edge get
    /// exactly these points.
    pub fn edge_points(&self, i: usize, j: usize, up: bool) -> Vec<(f64, f64)> {
        let salt = if up { 10 } else { 20 };
        let h = hash(self.seed, salt, i, j);
        // 0..=max; none on 5 edges in 10 (province) or 5 in 8 (dense)
        let max = self.shape.max_edge_points();
        let count = (h % (max + 5)).saturating_sub(4) as usize;
        if count == 0 {
            return Vec::new();
        }
        let a = self.corner(i, j);
        let b = if up {
            self.corner(i, j + 1)
        } else {
            self.corner(i + 1, j)
        };
        let (ex, ey) = (b.0 - a.0, b.1 - a.1);
        (0..count)
            .map(|m| {
                let t = (m + 1) as f64 / (count + 1) as f64;
                let side = unit(hash(self.seed, salt + 1 + m as u64, i, j)) * BEND;
                (a.0 + ex * t - ey * side, a.1 + ey * t + ex * side)
            })
            .collect()
    }

    /// The closed exterior ring of plot cell (i, j), counter-clockwise.
    pub fn ring(&self, i: usize, j: usize) -> Vec<(f64, f64)> {
        let mut ring = Vec::with_capacity(25);
        ring.push(self.corner(i, j));
        ring.extend(self.edge_points(i, j, false));
        ring.push(self.corner(i + 1, j));
        ring.extend(self.edge_points(i + 1, j, true));
        ring.push(self.corner(i + 1, j + 1));
        ring.extend(self.edge_points(i, j + 1, false).into_iter().rev());
        ring.push(self.corner(i, j + 1));
        ring.extend(self.edge_points(i, j, true).into_iter().rev());
        ring.push(self.corner(i, j));
        ring
    }

    /// The centre of cell (i, j): where the roads run in corridor cells.
    pub fn centre(&self, i: usize, j: usize) -> (f64, f64) {
        let c = [
            self.corner(i, j),
            self.corner(i + 1, j),
            self.corner(i + 1, j + 1),
            self.corner(i, j + 1),
        ];
        (
            c.iter().map(|p| p.0).sum::<f64>() / 4.0,
            c.iter().map(|p| p.1).sum::<f64>() / 4.0,
        )
    }

    /// Settlement index and cadastral region of the block holding cell (i, j).
    pub fn region(&self, i: usize, j: usize) -> (usize, u32) {
        let (bx, by) = (i / BLOCK_COLS, j / BLOCK_ROWS);
        self.regions
            .get(by * self.blocks_x + bx)
            .copied()
            .unwrap_or((0, 1))
    }

    /// Each block goes to its nearest town (or the next nearest when a town's 9,999
    /// regions are used up); regions are numbered per town in block order.
    fn assign_regions(&self) -> Vec<(usize, u32)> {
        let mut used = vec![0u32; SETTLEMENTS.len()];
        let mut regions = Vec::with_capacity(self.blocks_x * self.blocks_y);
        for by in 0..self.blocks_y {
            for bx in 0..self.blocks_x {
                let c = self.centre(bx * BLOCK_COLS + BLOCK_COLS / 2, by * BLOCK_ROWS + 4);
                // The towns name the regions in either shape (the dense one does not warp
                // towards them, but its plots still need a town's EKATTE code).
                let mut order: Vec<(f64, usize)> = SETTLEMENTS
                    .iter()
                    .enumerate()
                    .map(|(k, town)| {
                        let (x, y) = town.position();
                        ((x - c.0).hypot(y - c.1), k)
                    })
                    .collect();
                order.sort_by(|a, b| a.0.total_cmp(&b.0));
                let town = order
                    .iter()
                    .map(|&(_, k)| k)
                    .find(|&k| used[k] < 9999)
                    .unwrap_or(0);
                used[town] += 1;
                regions.push((town, used[town]));
            }
        }
        regions
    }

    /// The plot number of cell (i, j) within its block, 1..=77.
    pub fn plot_number(i: usize, j: usize) -> u32 {
        let (ci, cj) = (i % BLOCK_COLS, j % BLOCK_ROWS);
        ((cj - 1) * (BLOCK_COLS - 1) + ci) as u32
    }

    /// The plot cells to write, row by row from the south, `plots` of them.
    pub fn plot_cells(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let cols = self.cols();
        (0..self.rows())
            .flat_map(move |j| (0..cols).map(move |i| (i, j)))
            .filter(|&(i, j)| !Lattice::is_corridor(i, j))
            .take(self.plots)
    }

    /// The corridor row the motorway runs along (a quarter of the way up).
    pub fn motorway_row(&self) -> usize {
        (self.blocks_y / 4) * BLOCK_ROWS
    }

    /// Deterministic choice among `n` for a cell.
    pub fn pick(&self, salt: u64, i: usize, j: usize, n: usize) -> usize {
        (hash(self.seed, salt, i, j) % n as u64) as usize
    }
}

/// Planar (shoelace) area of a closed ring, m².
pub fn planar_area(ring: &[(f64, f64)]) -> f64 {
    ring.windows(2)
        .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
        .sum::<f64>()
        .abs()
        / 2.0
}
