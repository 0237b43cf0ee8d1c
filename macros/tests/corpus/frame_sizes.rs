//! `size_of` of every corpus body's future, ours against rustc's.
//!
//! `cargo test -p asyncio-macros --test corpus frame_size -- --nocapture`
//! prints the distribution of the ratio and the largest bodies.

use crate::common::{Body, distribution};

#[test]
#[cfg_attr(
    miri,
    ignore = "inventory registers bodies before main, which Miri does not run"
)]
fn frame_size_distribution() {
    let mut sizes: Vec<(String, usize, usize)> = inventory::iter::<Body>
        .into_iter()
        .map(|b| {
            let (ours, rustc) = (b.sizes)();
            (b.name.to_string(), ours, rustc)
        })
        .collect();
    assert!(sizes.len() >= 100, "only {} bodies registered", sizes.len());
    sizes.sort_by(|a, b| (b.1 as f64 / b.2 as f64).total_cmp(&(a.1 as f64 / a.2 as f64)));
    let (median, p90, max) = distribution(&sizes);
    println!(
        "frame size, #[coroutine] / async fn, over {} bodies:",
        sizes.len()
    );
    println!("  median {median:.2}  p90 {p90:.2}  max {max:.2}");
    println!("  largest ratios:");
    for (name, ours, rustc) in sizes.iter().take(5) {
        println!("    {name}: {ours} B vs {rustc} B");
    }
    assert!(median <= 1.0, "median ratio {median:.2} > 1.0");
    assert!(max <= 1.5, "max ratio {max:.2} > 1.5: {:?}", sizes[0]);
}
