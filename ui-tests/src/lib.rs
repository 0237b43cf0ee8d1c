//! trybuild cases for the coroutine compiler live in `tests/`.
