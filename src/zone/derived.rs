//! The cells that hold the facts derived from one snapshot (see [`super::snapshot::Derived`]),
//! under one policy: computed once per data version — when the server prepares a new
//! snapshot before serving it, or on first use — by exactly one caller while any others wait
//! (single flight), and dropped with the snapshot. Never inside a cache, never per request.
//! Deriving blocks (it may visit every feature): get a fact off the async workers, or warm
//! the snapshot first.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

type Cell = Arc<OnceLock<Arc<dyn Any + Send + Sync>>>;

/// One value per type, each computed once.
#[derive(Default)]
pub struct DerivedFacts {
    cells: Mutex<HashMap<TypeId, Cell>>,
}

impl std::fmt::Debug for DerivedFacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self.cells.lock().map_or(0, |c| c.len());
        write!(f, "DerivedFacts({count} kinds)")
    }
}

impl DerivedFacts {
    fn cell<T: Any>(&self) -> Cell {
        // The map only hands out cells; a panic elsewhere cannot leave it inconsistent.
        let mut cells = self.cells.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(cells.entry(TypeId::of::<T>()).or_default())
    }

    /// The value of type `T`, computed by `init` for the first caller; concurrent callers
    /// wait for it.
    pub fn get_or_init<T: Any + Send + Sync>(&self, init: impl FnOnce() -> T) -> Arc<T> {
        let cell = self.cell::<T>();
        let fact = cell.get_or_init(|| Arc::new(init()) as Arc<dyn Any + Send + Sync>);
        match Arc::clone(fact).downcast::<T>() {
            Ok(fact) => fact,
            // The cell is keyed by T's TypeId and only ever filled with a T.
            Err(_) => unreachable!("a derived fact stored under another type's id"),
        }
    }

    /// Whether the value of type `T` is computed already.
    pub fn has<T: Any>(&self) -> bool {
        let cells = self.cells.lock().unwrap_or_else(|e| e.into_inner());
        cells
            .get(&TypeId::of::<T>())
            .is_some_and(|cell| cell.get().is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn concurrent_first_uses_compute_once() {
        let facts = Arc::new(DerivedFacts::default());
        let runs = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (facts, runs) = (Arc::clone(&facts), Arc::clone(&runs));
                std::thread::spawn(move || {
                    *facts.get_or_init(|| {
                        runs.fetch_add(1, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(20));
                        42u32
                    })
                })
            })
            .collect();
        for t in threads {
            assert_eq!(t.join().unwrap(), 42);
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert!(facts.has::<u32>());
        assert!(!facts.has::<u64>());
    }
}
