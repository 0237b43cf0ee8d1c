//! [`Db`] (mini-redis's `src/db.rs`): the key space, shared by every
//! connection of the server through `Rc` (one thread: no mutex), with a
//! background task that removes keys as they expire.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;
use std::time::{Duration, Instant};

use asyncio::{Error, Event, Result};

/// A handle on the shared key space; clones share it.
#[derive(Clone)]
pub struct Db {
    shared: Rc<Shared>,
}

struct Shared {
    state: RefCell<State>,
    /// Set when the earliest expiration changes: wakes the purge task.
    background_task: Event,
}

#[derive(Default)]
struct State {
    entries: HashMap<Vec<u8>, Entry>,
    /// Keys with a deadline, earliest first.
    expirations: BTreeSet<(Instant, Vec<u8>)>,
}

struct Entry {
    data: Vec<u8>,
    expires_at: Option<Instant>,
}

impl Entry {
    fn live(&self, now: Instant) -> bool {
        self.expires_at.is_none_or(|when| when > now)
    }
}

/// Why `INCR` failed.
pub enum IncrError {
    NotAnInteger,
    Overflow,
}

impl Db {
    pub fn new() -> Db {
        Db {
            shared: Rc::new(Shared {
                state: RefCell::new(State::default()),
                background_task: Event::new(),
            }),
        }
    }

    /// The value of `key`, if it is set and not expired.
    pub fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        let state = self.shared.state.borrow();
        let entry = state.entries.get(key)?;
        entry.live(Instant::now()).then(|| entry.data.clone())
    }

    /// Sets `key`, with an expiration or none (`SET` drops an earlier
    /// one).
    pub fn set(&self, key: Vec<u8>, data: Vec<u8>, expire: Option<Duration>) {
        let expires_at = expire.map(|d| Instant::now() + d);
        let mut state = self.shared.state.borrow_mut();
        if let Some(when) = state.entries.remove(&key).and_then(|old| old.expires_at) {
            state.expirations.remove(&(when, key.clone()));
        }
        self.insert(&mut state, key, Entry { data, expires_at });
    }

    fn insert(&self, state: &mut State, key: Vec<u8>, entry: Entry) {
        if let Some(when) = entry.expires_at {
            // Wake the purge task if this key expires first.
            let first = state
                .expirations
                .first()
                .is_none_or(|(earliest, _)| when < *earliest);
            state.expirations.insert((when, key.clone()));
            if first {
                self.shared.background_task.set();
            }
        }
        state.entries.insert(key, entry);
    }

    /// Removes the keys; returns how many were set.
    pub fn del(&self, keys: &[Vec<u8>]) -> i64 {
        let now = Instant::now();
        let mut state = self.shared.state.borrow_mut();
        let mut removed = 0;
        for key in keys {
            if let Some(entry) = state.entries.remove(key) {
                if let Some(when) = entry.expires_at {
                    state.expirations.remove(&(when, key.clone()));
                }
                removed += i64::from(entry.live(now));
            }
        }
        removed
    }

    /// Adds one to the integer stored at `key` (0 when unset), keeping
    /// its expiration.
    pub fn incr(&self, key: &[u8]) -> std::result::Result<i64, IncrError> {
        let now = Instant::now();
        let mut state = self.shared.state.borrow_mut();
        if let Some(entry) = state.entries.get_mut(key).filter(|e| e.live(now)) {
            let n = std::str::from_utf8(&entry.data)
                .ok()
                .and_then(|text| text.parse::<i64>().ok())
                .ok_or(IncrError::NotAnInteger)?
                .checked_add(1)
                .ok_or(IncrError::Overflow)?;
            entry.data = n.to_string().into_bytes();
            return Ok(n);
        }
        drop(state);
        self.set(key.to_vec(), b"1".to_vec(), None);
        Ok(1)
    }

    /// Sets the expiration of `key` to `after` from now (removes the key
    /// if `after` is not positive); false if the key is not set.
    pub fn expire(&self, key: &[u8], after_ms: i128) -> bool {
        let now = Instant::now();
        let mut state = self.shared.state.borrow_mut();
        let Some(entry) = state.entries.remove(key) else {
            return false;
        };
        if let Some(when) = entry.expires_at {
            state.expirations.remove(&(when, key.to_vec()));
        }
        if !entry.live(now) {
            return false;
        }
        if after_ms <= 0 {
            return true; // removed
        }
        let after = Duration::from_millis(u64::try_from(after_ms).unwrap_or(u64::MAX));
        let expires_at = now.checked_add(after);
        let entry = Entry {
            data: entry.data,
            expires_at,
        };
        self.insert(&mut state, key.to_vec(), entry);
        true
    }

    /// Milliseconds before `key` expires: -1 if it never does, -2 if it
    /// is not set.
    pub fn pttl(&self, key: &[u8]) -> i64 {
        let now = Instant::now();
        let state = self.shared.state.borrow();
        match state.entries.get(key) {
            Some(entry) if entry.live(now) => match entry.expires_at {
                None => -1,
                Some(when) => i64::try_from((when - now).as_millis()).unwrap_or(i64::MAX),
            },
            _ => -2,
        }
    }

    /// Removes the expired keys; returns when the next one expires.
    fn purge_expired_keys(&self) -> Option<Instant> {
        let now = Instant::now();
        let mut state = self.shared.state.borrow_mut();
        while let Some((when, _)) = state.expirations.first() {
            if *when > now {
                return Some(*when);
            }
            let (_, key) = state.expirations.pop_first().unwrap();
            state.entries.remove(&key);
        }
        None
    }
}

/// The background task: sleeps until the next key expires (or an earlier
/// deadline is set), removes the expired keys, again, until cancelled.
#[asyncio::coroutine]
pub fn purge_expired_tasks(db: Db) -> Result<()> {
    let notified = &db.shared.background_task;
    loop {
        notified.clear();
        match db.purge_expired_keys() {
            Some(when) => {
                let delay = when.saturating_duration_since(Instant::now());
                match asyncio::timeout(delay, notified.wait()).await {
                    Ok(()) | Err(Error::Timeout) => {}
                    Err(err) => return Err(err),
                }
            }
            None => notified.wait().await?,
        }
    }
}
