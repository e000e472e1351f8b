//! Our person segmentation against MediaPipe's own: the npm package's WebAssembly build
//! runs the same model in Chromium on the same picture, and the two masks must agree.
//! This checks the whole interpreter (every operator, padding, resizing, the float16
//! weights) against the reference implementation, not against our own reading of it.

use super::reference::{mediapipe_mask, portrait_rgb, serve_reference};
use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_person_mask_matches_mediapipes_own_in_chromium() {
    let _serial = serial().await;
    let picture = portrait_rgb();
    let mut segmenter = balie_segment::Segmenter::new().unwrap();
    let ours: Vec<u8> = segmenter
        .segment(|input| {
            for (value, &byte) in input.iter_mut().zip(&picture) {
                *value = f32::from(byte) / 255.0;
            }
        })
        .iter()
        .map(|p| (p * 255.0).round() as u8)
        .collect();

    let url = serve_reference(picture);
    let (client, _driver) = super::chromium::chromium_with(&[]).await;
    let (theirs, _) = mediapipe_mask(&client, &url, 0).await;
    assert_eq!(theirs.len(), ours.len());

    let person = |p: u8| p > 127;
    let both = ours
        .iter()
        .zip(&theirs)
        .filter(|(a, b)| person(**a) && person(**b))
        .count();
    let either = ours
        .iter()
        .zip(&theirs)
        .filter(|(a, b)| person(**a) || person(**b))
        .count();
    let iou = both as f64 / either.max(1) as f64;
    let mean_difference = ours
        .iter()
        .zip(&theirs)
        .map(|(a, b)| f64::from(a.abs_diff(*b)))
        .sum::<f64>()
        / ours.len() as f64;
    // Measured: intersection over union 0.953, mean difference 4.6 of 255 (MediaPipe runs
    // the model in WebGL at lower precision).
    assert!(iou > 0.93, "masks overlap only {iou:.3}");
    assert!(
        mean_difference < 10.0,
        "masks differ by {mean_difference:.1} of 255 on average"
    );
    let _ = client.close().await;
}
