//! Golden expansions: `tests/expand/NAME.rs` holds a coroutine fn and
//! `tests/expand/NAME.expanded.rs` what the compiler makes of it, formatted.
//! The test fails when the expansion changes; run it with `UPDATE_EXPAND=1`
//! to rewrite the files, then review the diff.

use std::path::Path;

use crate::expand;

fn expand_file(source: &str) -> String {
    let item: syn::ItemFn = syn::parse_str(source).expect("the input parses as one fn");
    let tokens = expand::compile(item);
    let file: syn::File = syn::parse2(tokens.clone()).unwrap_or_else(|e| panic!("{e}: {tokens}"));
    prettyplease::unparse(&file)
}

#[test]
fn expansions_match_the_checked_in_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expand");
    let update = std::env::var_os("UPDATE_EXPAND").is_some();
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_str().unwrap();
        if !name.ends_with(".rs") || name.ends_with(".expanded.rs") {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        let expanded = expand_file(&source);
        let golden = path.with_extension("expanded.rs");
        if update {
            std::fs::write(&golden, &expanded).unwrap();
        } else {
            let want = std::fs::read_to_string(&golden).unwrap_or_else(|_| {
                panic!("{} is missing: run with UPDATE_EXPAND=1", golden.display())
            });
            assert!(
                want == expanded,
                "the expansion of {name} changed; run `UPDATE_EXPAND=1 cargo test -p asyncio-macros` \
                 and review the diff\n--- new expansion ---\n{expanded}"
            );
        }
        checked += 1;
    }
    assert!(
        checked >= 5,
        "expected at least 5 golden expansions, found {checked}"
    );
}
