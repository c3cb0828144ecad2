//! [`TileCache`]: encoded tiles in memory under a byte budget, keyed by data version, tile
//! and the tile's own revision (the register's edits that touch it: an edit re-keys only the
//! tiles it changes, the others stay cached), computed once however many requests ask for the same missing tile at the same time
//! (single flight through a per-key `OnceCell`), evicted oldest first, dropped whole when
//! a new data version arrives.
//!
//! A hit is the hot path of the whole service: it allocates nothing (the map is looked up
//! by the borrowed version and the tile) and hands out the tile's bytes as [`Bytes`], so
//! serving it costs reference counts, not copies.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use tokio::sync::OnceCell;

use super::coord::TileCoord;

/// One encoded tile, plain and gzipped (computed once, served many times; cloning the
/// [`Bytes`] shares them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedTile {
    /// The MVT bytes; empty when the tile has no features.
    pub raw: Bytes,
    /// The same, gzip-compressed (empty when `raw` is).
    pub gzip: Bytes,
}

impl EncodedTile {
    pub fn size(&self) -> usize {
        self.raw.len() + self.gzip.len() + KEY_OVERHEAD
    }
}

/// What a cached entry costs beyond its bytes (key, map slot, queue slot), counted so that a
/// budget full of empty tiles still ends.
const KEY_OVERHEAD: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    version: String,
    tile: TileAt,
}

/// A tile at one of its revisions.
type TileAt = (TileCoord, u64);

type Slot = Arc<OnceCell<Arc<EncodedTile>>>;

#[derive(Debug, Default)]
struct Entries {
    /// Slots by data version, then tile: two levels so that a lookup borrows the version
    /// instead of building an owned key.
    slots: HashMap<String, HashMap<TileAt, Slot>>,
    /// Keys whose tile is stored, oldest first, with their size.
    order: VecDeque<(Key, usize)>,
    bytes: usize,
}

impl Entries {
    fn slot(&self, key: &Key) -> Option<&Slot> {
        self.slots.get(&key.version)?.get(&key.tile)
    }

    /// Drops every tile of another version than `version`: tiles of data no longer served.
    fn keep_only(&mut self, version: &str) {
        if self.slots.keys().all(|v| v == version) {
            return;
        }
        self.slots.retain(|v, _| v == version);
        self.order.retain(|(key, _)| key.version == version);
        self.bytes = self.order.iter().map(|(_, size)| size).sum();
    }

    fn remove(&mut self, key: &Key) {
        if let Some(tiles) = self.slots.get_mut(&key.version) {
            tiles.remove(&key.tile);
            if tiles.is_empty() {
                self.slots.remove(&key.version);
            }
        }
    }
}

/// In-memory cache of encoded tiles under a byte budget.
#[derive(Debug, Default)]
pub struct TileCache {
    budget_bytes: usize,
    entries: Mutex<Entries>,
    /// Requests answered with a tile that was already computed (or being computed).
    hits: AtomicU64,
    /// Requests that encoded their tile.
    misses: AtomicU64,
}

/// What the tile cache has done, for `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TileCacheStats {
    pub hits: u64,
    pub misses: u64,
    pub bytes: u64,
    pub entries: u64,
}

impl TileCache {
    pub fn new(budget_bytes: usize) -> TileCache {
        TileCache {
            budget_bytes,
            entries: Mutex::default(),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    pub fn budget_bytes(&self) -> usize {
        self.budget_bytes
    }

    fn lock(&self) -> MutexGuard<'_, Entries> {
        // Nothing panics while holding the lock; if something did, the maps are still
        // consistent enough to use (at worst the byte count is off until the next clear).
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Drops every cached tile (the data changed).
    pub fn clear(&self) {
        let mut entries = self.lock();
        entries.slots.clear();
        entries.order.clear();
        entries.bytes = 0;
    }

    /// Counters for `/metrics`.
    pub fn stats(&self) -> TileCacheStats {
        let entries = self.lock();
        TileCacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            bytes: entries.bytes as u64,
            entries: entries.order.len() as u64,
        }
    }

    /// Bytes held by cached tiles.
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }

    /// Number of cached tiles.
    pub fn len(&self) -> usize {
        self.lock().order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The tile if it is cached and computed (counted as a hit); no allocation, no await.
    pub fn get(&self, version: &str, tile: TileCoord, revision: u64) -> Option<Arc<EncodedTile>> {
        let entries = self.lock();
        let done = entries.slots.get(version)?.get(&(tile, revision))?.get()?;
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(Arc::clone(done))
    }

    /// The tile from the cache, or computed by `compute` (once for all concurrent callers).
    pub async fn get_or_compute<F, Fut, E>(
        &self,
        version: &str,
        tile: TileCoord,
        revision: u64,
        compute: F,
    ) -> Result<Arc<EncodedTile>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<EncodedTile, E>>,
    {
        if self.budget_bytes == 0 {
            self.misses.fetch_add(1, Ordering::Relaxed);
            return compute().await.map(Arc::new);
        }
        let tile = (tile, revision);
        let slot = {
            let mut entries = self.lock();
            let stored = entries
                .slots
                .get(version)
                .and_then(|tiles| tiles.get(&tile));
            // The common case, a tile already computed: no allocation, no await.
            if let Some(done) = stored.and_then(|slot| slot.get()) {
                self.hits.fetch_add(1, Ordering::Relaxed);
                return Ok(Arc::clone(done));
            }
            match stored {
                Some(pending) => Arc::clone(pending),
                None => {
                    // The first tile of a new version: the old version's tiles go.
                    entries.keep_only(version);
                    Arc::clone(
                        entries
                            .slots
                            .entry(version.to_string())
                            .or_default()
                            .entry(tile)
                            .or_default(),
                    )
                }
            }
        };
        let key = Key {
            version: version.to_string(),
            tile,
        };
        let mut computed_here = false;
        let result = slot
            .get_or_try_init(|| async {
                computed_here = true;
                compute().await.map(Arc::new)
            })
            .await
            .map(Arc::clone);
        let counter = if computed_here {
            &self.misses
        } else {
            &self.hits
        };
        counter.fetch_add(1, Ordering::Relaxed);
        match &result {
            Ok(encoded) if computed_here => self.account(key, &slot, encoded.size()),
            Ok(_) => {}
            Err(_) => {
                // Let the next request try again rather than keep a slot that never fills.
                let mut entries = self.lock();
                if entries
                    .slot(&key)
                    .is_some_and(|s| Arc::ptr_eq(s, &slot) && s.get().is_none())
                {
                    entries.remove(&key);
                }
            }
        }
        result
    }

    /// Counts a freshly computed tile and evicts the oldest ones while over budget.
    fn account(&self, key: Key, slot: &Slot, size: usize) {
        let mut entries = self.lock();
        // The cache may have been cleared while the tile was computed: then it is not ours.
        if !entries.slot(&key).is_some_and(|s| Arc::ptr_eq(s, slot)) {
            return;
        }
        if size > self.budget_bytes {
            entries.remove(&key);
            return;
        }
        entries.order.push_back((key, size));
        entries.bytes += size;
        while entries.bytes > self.budget_bytes {
            let Some((old, old_size)) = entries.order.pop_front() else {
                break;
            };
            entries.remove(&old);
            entries.bytes -= old_size;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn tile(x: u32) -> TileCoord {
        TileCoord { z: 14, x, y: 0 }
    }

    fn encoded(n: usize) -> EncodedTile {
        EncodedTile {
            raw: Bytes::from(vec![1; n]),
            gzip: Bytes::from(vec![2; n]),
        }
    }

    #[tokio::test]
    async fn concurrent_requests_compute_once() {
        let cache = Arc::new(TileCache::new(1 << 20));
        let calls = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let (cache, calls) = (Arc::clone(&cache), Arc::clone(&calls));
            tasks.push(tokio::spawn(async move {
                cache
                    .get_or_compute("v1", tile(1), 0, || async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        Ok::<_, ()>(encoded(10))
                    })
                    .await
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap().raw.len(), 10);
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(cache.len(), 1);
    }

    #[tokio::test]
    async fn a_hit_shares_the_stored_bytes_and_counts_as_a_hit() {
        let cache = TileCache::new(1 << 20);
        let first = cache
            .get_or_compute("v1", tile(1), 0, || async { Ok::<_, ()>(encoded(1000)) })
            .await
            .unwrap();
        let again = cache
            .get_or_compute("v1", tile(1), 0, || async { Err::<EncodedTile, _>(()) })
            .await
            .unwrap();
        // Same memory, not an equal copy: a hit costs no copy of the tile.
        assert_eq!(first.gzip.as_ptr(), again.gzip.as_ptr());
        assert_eq!(first.raw.as_ptr(), again.raw.as_ptr());
        let other_version = cache
            .get_or_compute("v2", tile(1), 0, || async { Ok::<_, ()>(encoded(10)) })
            .await
            .unwrap();
        assert_eq!(other_version.raw.len(), 10);
        let stats = cache.stats();
        // The first tile of v2 dropped v1's: one entry left.
        assert_eq!((stats.hits, stats.misses, stats.entries), (1, 2, 1));
    }

    #[tokio::test]
    async fn a_new_data_version_drops_the_old_versions_tiles() {
        let cache = TileCache::new(1 << 20);
        for x in 0..3 {
            cache
                .get_or_compute("v1", tile(x), 0, || async { Ok::<_, ()>(encoded(100)) })
                .await
                .unwrap();
        }
        assert_eq!(cache.len(), 3);
        cache
            .get_or_compute("v2", tile(0), 0, || async { Ok::<_, ()>(encoded(10)) })
            .await
            .unwrap();
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.bytes(), 20 + KEY_OVERHEAD);
        assert!(cache.get("v1", tile(1), 0).is_none());
    }

    #[tokio::test]
    async fn stays_under_budget_and_clears() {
        let cache = TileCache::new(3 * (200 + KEY_OVERHEAD));
        for x in 0..10 {
            cache
                .get_or_compute("v1", tile(x), 0, || async { Ok::<_, ()>(encoded(100)) })
                .await
                .unwrap();
            assert!(cache.bytes() <= cache.budget_bytes());
        }
        assert_eq!(cache.len(), 3);
        cache.clear();
        assert_eq!((cache.len(), cache.bytes()), (0, 0));
    }
}
