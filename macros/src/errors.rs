//! One accumulator for the errors a stage finds: all of them are reported
//! together, each on its own span.

/// `Ok` when `errors` is empty, else every error combined into one.
pub fn combine(errors: impl IntoIterator<Item = syn::Error>) -> Result<(), syn::Error> {
    match errors.into_iter().reduce(|mut all, e| {
        all.combine(e);
        all
    }) {
        Some(error) => Err(error),
        None => Ok(()),
    }
}
