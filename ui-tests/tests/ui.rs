//! trybuild cases: programs that must compile, and misuses that must fail
//! with an error on the user's code (each `.stderr` is reviewed).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/pass/*.rs");
    t.compile_fail("tests/fail/*.rs");
}
