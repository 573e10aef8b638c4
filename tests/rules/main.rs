//! Every rule on real images: the two committed portraits as they are, and fixtures made from
//! them in memory (rotated, warped, blurred, re-lit, recoloured, composited onto other
//! backdrops, painted over, cropped). Each rule has at least one real-image pass and one fail.
//!
//! Assertions are statuses plus inequalities with a wide margin, never exact values: thresholds
//! are still being tuned, and fixtures were chosen so that the expected outcome holds well away
//! from the current limits. Values measured when the tests were written are noted in comments.
//! Run with `IDPHOTO_TEST_VERBOSE=1 cargo test --test rules -- --nocapture` to see every report,
//! and `IDPHOTO_TEST_DUMP=/tmp/fx` to look at the generated images.
//!
//! One binary, one file per group of rules: the models load once for all of them.

#[path = "../common/mod.rs"]
mod common;

mod backdrop;
mod clothing;
mod committed;
mod covering;
mod face;
mod finished;
mod fixtures;
mod photo_quality;
