// Fails to compile: `#[cfg]` on a statement containing `.await` is rejected ("not supported"); rustc accepts it in an `async fn`.

#[path = "../corpus/common.rs"]
#[macro_use]
mod common;
use common::*;

// F05 wrong behaviour: `#[cfg(..)]` (any attribute) on a statement that contains an await is dropped; the cfg'd-out code runs.
both!(
    fn f05_cfg_on_statement() -> u32 {
        let mut n = 0;
        #[cfg(any())]
        {
            n += leaf("never", 100).await;
        }
        #[cfg(any())]
        let m = leaf("never2", 1000).await;
        #[cfg(not(any()))]
        let m = 1;
        n + m
    }
);

fn main() {
    agree!(f05_cfg_on_statement()); // ours 101, oracle 1
}
