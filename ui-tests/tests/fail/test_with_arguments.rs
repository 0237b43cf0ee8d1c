#[asyncio::test]
fn checks(n: u32) {
    assert_eq!(n, 1);
}

fn main() {}
