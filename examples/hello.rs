//! Hello World, as in the asyncio docs: print, sleep one second, print.
//!
//! ```text
//! cargo run --example hello
//! ```

use std::time::Duration;

#[asyncio::entry]
fn main() -> asyncio::Result<()> {
    println!("Hello ...");
    asyncio::sleep(Duration::from_secs(1)).await?;
    println!("... World!");
    Ok(())
}
