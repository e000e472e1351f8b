//! Puts MediaPipe's landscape selfie-segmentation model into the build.
//!
//! The model comes from the npm package `@mediapipe/selfie_segmentation` (Apache-2.0),
//! which `npm ci` installs (see `package.json`); nothing is downloaded at run time.
//! `BALIE_SEGMENTATION_MODEL` may name another copy of the same file.

use std::path::PathBuf;

const MODEL: &str =
    "node_modules/@mediapipe/selfie_segmentation/selfie_segmentation_landscape.tflite";

fn main() {
    println!("cargo:rerun-if-env-changed=BALIE_SEGMENTATION_MODEL");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let source = match std::env::var_os("BALIE_SEGMENTATION_MODEL") {
        Some(path) => PathBuf::from(path),
        None => manifest.join("../..").join(MODEL),
    };
    println!("cargo:rerun-if-changed={}", source.display());
    let model = std::fs::read(&source).unwrap_or_else(|error| {
        panic!(
            "the selfie-segmentation model is missing at {} ({error}): run `npm ci` in the \
             repository root (scripts/setup.sh does), or set BALIE_SEGMENTATION_MODEL",
            source.display()
        )
    });
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    std::fs::write(out.join("selfie_segmentation_landscape.tflite"), model)
        .expect("OUT_DIR is writable");
}
