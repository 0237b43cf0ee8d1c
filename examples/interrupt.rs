//! Ctrl-C as `asyncio.run` handles it: the first one cancels `main`, which
//! cleans up (here with more awaits) and ends; the program then exits as
//! Python does after a `KeyboardInterrupt` (killed by `SIGINT`, status 130
//! in the shell). A second Ctrl-C during the clean-up ends it at once.
//!
//! ```text
//! cargo run --example interrupt          # press Ctrl-C
//! cargo run --example interrupt -- slow  # a slow clean-up: press Ctrl-C twice
//! ```

use std::io::Write;

#[asyncio::entry]
fn main() -> asyncio::Result<()> {
    let slow = std::env::args().any(|a| a == "slow");
    say("ready (press Ctrl-C)");
    let waited = asyncio::sleep(60.0).await;
    if let Err(err) = waited {
        say("cancelled: cleaning up");
        let pause = if slow { 60.0 } else { 0.01 };
        asyncio::sleep(pause).await?;
        say("cleaned up");
        return Err(err);
    }
    Ok(())
}

fn say(what: &str) {
    println!("{what}");
    let _ = std::io::stdout().flush();
}
