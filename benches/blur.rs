//! The background-blur benchmark, run by `benches/blur.sh`. Printed side by side from one
//! run:
//!
//! - one person segmentation of the 256x144 portrait: Balie's interpreter (wall time and
//!   CPU time of the thread) against MediaPipe's own build of the same model in Chromium
//!   (the npm package's WebAssembly with WebGL, software-rendered on a machine without a
//!   GPU), whose CPU is the whole browser tree's;
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

#[tokio::main]
async fn main() {
    let runs: u32 = std::env::var("BALIE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let picture = reference::portrait_rgb();

    // Ours.
    let mut segmenter = balie_segment::Segmenter::new().unwrap();
    let fill = |input: &mut [f32]| {
        for (value, &byte) in input.iter_mut().zip(&picture) {
            *value = f32::from(byte) / 255.0;
        }
    };
    for _ in 0..5 {
        segmenter.segment(fill);
    }
    let mut wall = Vec::new();
    let cpu_before = thread_cpu();
    for _ in 0..runs {
        let t = Instant::now();
        segmenter.segment(fill);
        wall.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let ours_cpu = (thread_cpu() - cpu_before).as_secs_f64() * 1000.0 / f64::from(runs);
    let ours_wall = median(&mut wall);
    // This machine shares its cores: the fastest run shows the code without the noise.
    let ours_fastest = wall[0];

    // MediaPipe in Chromium, the same picture.
    let url = reference::serve_reference(picture.clone());
    let (client, driver) = chromium::chromium_with(&[]).await;
    // Warm up (loads the WebAssembly and the model), then time the runs alone.
    let _ = reference::mediapipe_mask(&client, &url, 1).await;
    let pids = procfs::tree(driver.pid());
    let before = procfs::cpu_seconds(&pids);
    let (_, theirs_wall) = reference::mediapipe_mask(&client, &url, runs).await;
    let theirs_cpu_total = procfs::cpu_seconds(&procfs::tree(driver.pid())) - before;
    let theirs_wall = theirs_wall.unwrap();
    // The second page load's set-up is in the CPU figure too; it is small next to the runs.
    let theirs_cpu = theirs_cpu_total * 1000.0 / f64::from(runs + 1);
    let _ = client.close().await;

    let vga = blur_frame_ms(640, 480, 600);
    let qvga = blur_frame_ms(320, 240, 600);
    let per_second = 1000.0 / SEGMENT_EVERY.as_millis() as f64;
    let per_minute = (ours_cpu * per_second + vga * 30.0) * 60.0 / 1000.0;

    println!("Background blur, {runs} segmentations of a 256x144 portrait");
    println!("                                   Balie      MediaPipe in Chromium");
    println!("segmentation, wall ms, median  {ours_wall:>9.1}   {theirs_wall:>9.1} (mean)");
    println!("segmentation, wall ms, fastest {ours_fastest:>9.1}");
    println!("segmentation, CPU ms           {ours_cpu:>9.1}   {theirs_cpu:>9.1} (browser tree)");
    println!("blur one 640x480 frame, ms     {vga:>9.2}");
    println!("blur one 320x240 frame, ms     {qvga:>9.2}");
    println!(
        "added per call-minute at 640x480@30, {per_second:.0} segmentations/s: {per_minute:.1} CPU-s"
    );
}
