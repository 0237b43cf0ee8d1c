//! A generational slab: stable small keys for values owned by the loop.
//!
//! The loop hands out [`Key`]s for tasks and scheduled callbacks, and those
//! keys outlive the values they name: a waker can fire after its task has
//! finished, a handle can be cancelled after its callback has run, a stale
//! entry can sit in the ready queue or the timer heap. Each slot therefore
//! carries a generation that is bumped whenever the slot is vacated, and a
//! key only matches the generation it was issued with. Looking up a stale key
//! finds nothing instead of an unrelated value that reused the slot.
//!
//! Vacant slots form an intrusive free list, so insertion and removal are
//! O(1) and memory is reused instead of growing with the number of values
//! ever inserted.

use core::fmt;

/// Marks the end of the free list.
const NIL: u32 = u32::MAX;

/// Names one value in a [`Slab`] for as long as that value is there.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    index: u32,
    generation: u32,
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}v{}", self.index, self.generation)
    }
}

impl Key {
    /// A key that names nothing in any slab.
    pub(crate) const DANGLING: Key = Key {
        index: NIL,
        generation: 0,
    };

    /// The key in 48 bits: the index and the low 16 bits of the generation
    /// (what a task's waker carries; see [`Slab::get_packed_mut`]).
    pub(crate) fn pack(self) -> u64 {
        u64::from(self.index) | (u64::from(self.generation & 0xFFFF) << 32)
    }
}

enum Slot<T> {
    Occupied { generation: u32, value: T },
    Vacant { generation: u32, next_free: u32 },
}

/// A vector of slots addressed by generation-checked [`Key`]s.
pub(crate) struct Slab<T> {
    slots: Vec<Slot<T>>,
    free_head: u32,
    len: usize,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Slab<T> {
    /// An empty slab; allocates nothing until the first insertion.
    pub(crate) const fn new() -> Self {
        Slab {
            slots: Vec::new(),
            free_head: NIL,
            len: 0,
        }
    }

    /// Number of occupied slots.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The key the next [`insert`](Self::insert) will return.
    ///
    /// Lets a value that must know its own key (a task builds its waker from
    /// it) be constructed before it is inserted, without holding a borrow of
    /// the slab while the value is being built.
    pub(crate) fn vacant_key(&self) -> Key {
        match self.slots.get(self.free_head as usize) {
            Some(Slot::Vacant { generation, .. }) => Key {
                index: self.free_head,
                generation: *generation,
            },
            _ => Key {
                index: Self::index_for(self.slots.len()),
                generation: 0,
            },
        }
    }

    /// Stores `value` and returns its key.
    pub(crate) fn insert(&mut self, value: T) -> Key {
        self.len += 1;
        if let Some(&mut Slot::Vacant {
            generation,
            next_free,
        }) = self.slots.get_mut(self.free_head as usize)
        {
            let index = self.free_head;
            self.free_head = next_free;
            self.slots[index as usize] = Slot::Occupied { generation, value };
            return Key { index, generation };
        }
        let index = Self::index_for(self.slots.len());
        self.slots.push(Slot::Occupied {
            generation: 0,
            value,
        });
        Key {
            index,
            generation: 0,
        }
    }

    /// The value named by `key`, unless it has been removed since.
    pub(crate) fn get(&self, key: Key) -> Option<&T> {
        match self.slots.get(key.index as usize) {
            Some(Slot::Occupied { generation, value }) if *generation == key.generation => {
                Some(value)
            }
            _ => None,
        }
    }

    /// Mutable access to the value named by `key`, unless it has been removed.
    pub(crate) fn get_mut(&mut self, key: Key) -> Option<&mut T> {
        match self.slots.get_mut(key.index as usize) {
            Some(Slot::Occupied { generation, value }) if *generation == key.generation => {
                Some(value)
            }
            _ => None,
        }
    }

    /// The key and value at a [`Key::pack`]ed position, if its slot is
    /// occupied by a value whose generation matches in the packed bits.
    ///
    /// Sixteen bits of generation make a stale packed key that meets a slot
    /// reused exactly a multiple of 65,536 times resolve to the new value;
    /// wakers use packed keys, and a spurious wake-up is harmless.
    pub(crate) fn get_packed_mut(&mut self, bits: u64) -> Option<(Key, &mut T)> {
        let index = (bits & 0xFFFF_FFFF) as u32;
        let low = (bits >> 32) & 0xFFFF;
        match self.slots.get_mut(index as usize) {
            Some(Slot::Occupied { generation, value })
                if u64::from(*generation & 0xFFFF) == low =>
            {
                Some((
                    Key {
                        index,
                        generation: *generation,
                    },
                    value,
                ))
            }
            _ => None,
        }
    }

    /// Whether `key` still names a value.
    pub(crate) fn contains(&self, key: Key) -> bool {
        self.get(key).is_some()
    }

    /// Removes and returns the value named by `key`; every copy of `key`
    /// becomes stale.
    pub(crate) fn remove(&mut self, key: Key) -> Option<T> {
        let slot = self.slots.get_mut(key.index as usize)?;
        match slot {
            Slot::Occupied { generation, .. } if *generation == key.generation => {}
            _ => return None,
        }
        // A generation that wraps around after 2^32 reuses of one slot could
        // in theory revive a key that old; nothing keeps keys that long.
        let vacant = Slot::Vacant {
            generation: key.generation.wrapping_add(1),
            next_free: self.free_head,
        };
        let Slot::Occupied { value, .. } = core::mem::replace(slot, vacant) else {
            unreachable!("slot was checked to be occupied")
        };
        self.free_head = key.index;
        self.len -= 1;
        Some(value)
    }

    /// Mutable iteration over every value with its key.
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = (Key, &mut T)> {
        self.slots
            .iter_mut()
            .enumerate()
            .filter_map(|(index, slot)| match slot {
                Slot::Occupied { generation, value } => Some((
                    Key {
                        index: Self::index_for(index),
                        generation: *generation,
                    },
                    value,
                )),
                Slot::Vacant { .. } => None,
            })
    }

    /// Removes every value, in slot order, leaving the slab empty.
    ///
    /// Every key issued before becomes stale, exactly as if each value had
    /// been [`remove`](Self::remove)d; the slots stay allocated for reuse.
    pub(crate) fn drain(&mut self) -> Vec<T> {
        let mut values = Vec::with_capacity(self.len);
        for index in 0..self.slots.len() {
            if let Slot::Occupied { generation, .. } = self.slots[index] {
                let key = Key {
                    index: Self::index_for(index),
                    generation,
                };
                values.extend(self.remove(key));
            }
        }
        values
    }

    fn index_for(position: usize) -> u32 {
        match u32::try_from(position) {
            Ok(index) if index != NIL => index,
            _ => panic!("slab overflow: more than {} live entries", NIL - 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_keys_find_nothing() {
        let mut slab = Slab::new();
        let a = slab.insert("a");
        assert_eq!(slab.remove(a), Some("a"));
        let b = slab.insert("b");
        assert_eq!(a.index, b.index, "the slot is reused");
        assert_eq!(slab.get(a), None);
        assert_eq!(slab.remove(a), None);
        assert_eq!(slab.get(b), Some(&"b"));
        assert_eq!(slab.len(), 1);
    }

    #[test]
    fn vacant_key_predicts_insert() {
        let mut slab = Slab::new();
        for round in 0..3 {
            let keys: Vec<_> = (0..4)
                .map(|i| {
                    let predicted = slab.vacant_key();
                    let key = slab.insert(i + round);
                    assert_eq!(predicted, key);
                    key
                })
                .collect();
            for key in keys {
                slab.remove(key);
            }
        }
        assert_eq!(slab.len(), 0);
    }

    #[test]
    fn drain_and_iter() {
        let mut slab = Slab::new();
        let keys: Vec<_> = (0..5).map(|i| slab.insert(i)).collect();
        slab.remove(keys[1]);
        for (_, v) in slab.iter_mut() {
            *v *= 10;
        }
        assert_eq!(slab.drain(), [0, 20, 30, 40]);
        assert_eq!(slab.len(), 0);
        assert_eq!(slab.get(keys[0]), None);
        let again = slab.insert(7);
        assert_ne!(again, keys[4], "drained keys stay stale");
    }
}
