//! Helpers shared by the queue tests.

use std::cell::Cell;
use std::rc::Rc;

use asyncio::Queue;

/// How many getters and putters wait, from the queue's `Debug`.
pub fn waiting<T>(q: &Queue<T>) -> (usize, usize) {
    let text = format!("{q:?}");
    let field = |name: &str| -> usize {
        let start = text.find(&format!("{name}: ")).unwrap() + name.len() + 2;
        let digits: String = text[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().unwrap()
    };
    (field("getters"), field("putters"))
}

/// An item that counts its drops.
#[derive(Debug)]
pub struct Counted {
    pub id: u32,
    pub drops: Rc<Cell<u32>>,
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.drops.set(self.drops.get() + 1);
    }
}
