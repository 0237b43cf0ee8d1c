#[asyncio::entry]
fn main<T: Default>() {
    let _ = T::default();
}
