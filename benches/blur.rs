//! The background-blur benchmark, run by `benches/blur.sh`. Printed side by side from one
//! run:
//!
//! - one person segmentation of the 256x144 portrait by the same model file
//!   (`selfie_segmentation_landscape.tflite`): Balie's interpreter against MediaPipe Tasks'
//!   `ImageSegmenter` on its CPU path (`delegate: "CPU"`, the npm package
//!   `@mediapipe/tasks-vision`'s WebAssembly with XNNPACK, in headless Chromium). Alike on
//!   both sides: the same warm-ups (`WARM_UPS`) before timing; each call timed alone from
//!   the RGB picture to the person mask copied out (ours: filling the input tensor from the
//!   bytes, the run, the mask copied; theirs: `segment(ImageData)`, the confidence mask read
//!   as floats and copied, the result closed); the median and p90 of the per-call times; one
//!   thread each (the Tasks WebAssembly has no threads; the interpreter runs on the calling
//!   thread). CPU per segmentation: ours the thread's, theirs Chromium's whole process tree
//!   over the timed runs only. Both masks are compared, so both did the same work;
//! - blurring one frame with a ready mask at 640x480 and 320x240 (the video thread's
//!   share);
//! - what the blur adds per call-minute at 640x480@30 with ten segmentations a second.
#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)]

use balie_testkit::{chromium, procfs, reference};

use balie_call::media::blur::{BackgroundBlur, SEGMENT_EVERY};
use balie_call::media::frame::I420Frame;
use balie_call::media::synthetic::TestPattern;
use std::time::{Duration, Instant};

/// CPU time of the calling thread so far (`/proc/thread-self/schedstat`, nanoseconds on
/// the CPU).
fn thread_cpu() -> Duration {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
    Duration::from_nanos(text.split_whitespace().next().unwrap().parse().unwrap())
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Milliseconds per blurred frame of `width` x `height`, once a mask is there.
fn blur_frame_ms(width: usize, height: usize, frames: usize) -> f64 {
    let mut blur = BackgroundBlur::new().unwrap();
    let mut pattern = TestPattern::new();
    let start = Instant::now();
    // Until the first mask arrives (the worker thread needs one segmentation).
    while blur.figures().segmentations == 0 {
        let mut frame = pattern.next_frame(width, height);
        blur.apply(&mut frame, start);
        std::thread::sleep(Duration::from_millis(5));
    }
    // The same `now` every time: no new segmentation is asked, only blending is timed.
    let mut times = Vec::with_capacity(frames);
    let source: Vec<I420Frame> = (0..30).map(|_| pattern.next_frame(width, height)).collect();
    for i in 0..frames {
        let mut frame = source[i % source.len()].clone();
        let t = Instant::now();
        blur.apply(&mut frame, start);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    median(&mut times)
}

/// Warm-up calls on both sides before any is timed.
const WARM_UPS: u32 = 5;

/// The value at `p` (0–100) of `values`, sorted here.
fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * values.len() as f64).ceil() as usize;
    values[rank.clamp(1, values.len()) - 1]
}

#[tokio::main]
async fn main() {
    let runs: u32 = std::env::var("BALIE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50)
        .max(1);
    let picture = reference::portrait_rgb();

    // Ours: from the bytes to the mask copied out, each call timed alone.
    let mut segmenter = balie_segment::Segmenter::new().unwrap();
    let mut ours_mask = vec![0u8; 256 * 144];
    let once = |segmenter: &mut balie_segment::Segmenter, out: &mut [u8]| {
        let mask = segmenter.segment(|input: &mut [f32]| {
            for (value, &byte) in input.iter_mut().zip(&picture) {
                *value = f32::from(byte) / 255.0;
            }
        });
        for (to, &p) in out.iter_mut().zip(mask) {
            *to = (p.clamp(0.0, 1.0) * 255.0).round() as u8;
        }
    };
    for _ in 0..WARM_UPS {
        once(&mut segmenter, &mut ours_mask);
    }
    let mut ours = Vec::new();
    let cpu_before = thread_cpu();
    for _ in 0..runs {
        let t = Instant::now();
        once(&mut segmenter, &mut ours_mask);
        ours.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let ours_cpu = (thread_cpu() - cpu_before).as_secs_f64() * 1000.0 / f64::from(runs);

    // Theirs: MediaPipe Tasks on its CPU path, the same picture and model.
    let url = reference::serve_reference(picture.clone());
    let (client, driver) = chromium::chromium_with(&[]).await;
    let wasm = reference::mediapipe_tasks_prepare(&client, &url, WARM_UPS).await;
    let browser = procfs::children_of(driver.pid())
        .into_iter()
        .find(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|comm| comm.trim() == "chromium")
        })
        .expect("Chromium under chromedriver");
    let before = procfs::cpu_seconds(&procfs::tree(browser));
    let (mut theirs, theirs_mask) = reference::mediapipe_tasks_run(&client, runs).await;
    let theirs_cpu =
        (procfs::cpu_seconds(&procfs::tree(browser)) - before) * 1000.0 / f64::from(runs);
    let _ = client.close().await;
    // Both did the same work: the pixels both call "person" (or both not).
    let agree = ours_mask
        .iter()
        .zip(&theirs_mask)
        .filter(|(a, b)| (**a >= 128) == (**b >= 128))
        .count() as f64
        / ours_mask.len().max(1) as f64;
    assert_eq!(theirs_mask.len(), ours_mask.len(), "MediaPipe's mask size");
    assert!(
        agree > 0.95,
        "the masks differ: {:.1} % agree",
        agree * 100.0
    );

    let vga = blur_frame_ms(640, 480, 600);
    let qvga = blur_frame_ms(320, 240, 600);
    let per_second = 1000.0 / SEGMENT_EVERY.as_millis() as f64;
    let per_minute = (ours_cpu * per_second + vga * 30.0) * 60.0 / 1000.0;

    println!(
        "Person segmentation of a 256x144 portrait, selfie_segmentation_landscape.tflite, {WARM_UPS} warm-ups then {runs} calls each timed alone, {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "MediaPipe: @mediapipe/tasks-vision ImageSegmenter, delegate CPU, IMAGE mode, {}, headless Chromium",
        wasm.rsplit('/').next().unwrap_or(&wasm)
    );
    println!("                                   Balie    MediaPipe Tasks (CPU)");
    println!(
        "per call, wall ms, median      {:>9.2}   {:>9.2}",
        percentile(&mut ours, 50.0),
        percentile(&mut theirs, 50.0)
    );
    println!(
        "per call, wall ms, p90         {:>9.2}   {:>9.2}",
        percentile(&mut ours, 90.0),
        percentile(&mut theirs, 90.0)
    );
    println!(
        "per call, CPU ms, mean         {ours_cpu:>9.2}   {theirs_cpu:>9.2}  (ours: the thread; theirs: Chromium's tree over the timed calls)"
    );
    println!("masks agree (person or not)    {:>8.1} %", agree * 100.0);
    println!("blur one 640x480 frame, ms     {vga:>9.2}");
    println!("blur one 320x240 frame, ms     {qvga:>9.2}");
    println!(
        "added per call-minute at 640x480@30, {per_second:.0} segmentations/s: {per_minute:.1} CPU-s"
    );
}
