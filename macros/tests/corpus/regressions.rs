//! Bodies the generator found (seed, index), kept as regression tests.

// Generated bodies compute values they never read.
#![allow(unused_variables, unused_assignments, clippy::all)]

use crate::common::*;
fn half(v: u32) -> Option<u32> {
    (v % 2 == 0).then_some(v / 2)
}
both!(
    fn seed7_g8852(p: u32) -> Result<u32, u32> {
        let mut acc: u32 = 0;
        let mut i2: u32 = 0;
        let x1: u32 = 'a3: loop {
            i2 += 1;
            if leaf("c4", false).await {
                break 'a3 leaf("l5", 4u32).await;
            }
            if i2 > 1 {
                break 'a3 i2;
            }
            let mut x6: u32 = p.wrapping_add(0u32);
            x6 = x6.wrapping_mul(3).wrapping_add(leaf("l7", 4u32).await);
        };
        let mut i8: u32 = 0;
        'a9: loop {
            i8 += 1;
            if i8 > 1 {
                break 'a9;
            }
            let mut i10: u32 = 0;
            'a11: loop {
                i10 += 1;
                if i10 > 1 {
                    break 'a11;
                }
                acc = acc.wrapping_add(leaf("l12", 0u32).await.wrapping_add(2u32));
            }
            let mut i13: u32 = 0;
            'a14: loop {
                i13 += 1;
                if i13 > 2 {
                    break 'a14;
                }
                let d15 = D("d15");
            }
        }
        let mut i16: u32 = 0;
        'a17: loop {
            i16 += 1;
            if i16 > 3 {
                break 'a17;
            }
            let d18 = D("d18");
            if let Some(y19) = half(p) {
                if leaf("l20", 1u32).await % 2 == 0 {
                    if leaf("c21", false).await {
                        continue 'a17;
                    }
                } else {
                    acc = acc.wrapping_add(leaf("l22", leaf("l23", 3u32).await).await);
                }
                if y19 > 7 {
                    acc = acc.wrapping_add(4u32 ^ 4u32);
                }
            }
            let _g24 = D("g24");
        }
        Ok(acc)
    }
);

#[test]
fn seed7_g8852_released_at_branch_in_loop() {
    // A value released at the branch toward an await, in a loop: the
    // trace needs `new` events to tell that from a drop-order change.
    agree!(seed7_g8852(1));
    agree!(seed7_g8852(2));
}
