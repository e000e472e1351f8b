//! The reference segmentation: MediaPipe's own build of the selfie-segmentation model
//! (the npm package's WebAssembly and WebGL) in Chromium, on the portrait the segmentation
//! tests use. Shared by the segmentation test and `benches/blur.rs`.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

/// The portrait the segmentation tests use, as raw 256x144 RGB.
pub fn portrait_rgb() -> Vec<u8> {
    let ppm = include_bytes!("../../balie-segment/tests/fixtures/astronaut-256x144.ppm");
    ppm[ppm.len() - 256 * 144 * 3..].to_vec()
}

/// The repository root (for `node_modules` and `benches/`).
fn repository() -> PathBuf {
    let mut dir = Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    while !dir.join("benches/mediapipe-segment.html").exists() {
        if !dir.pop() {
            panic!(
                "the repository root is not above {}",
                env!("CARGO_MANIFEST_DIR")
            );
        }
    }
    dir
}

/// Serves the reference page at `/`, the MediaPipe package under `/mp/` and the picture
/// at `/picture.rgb`; for the benchmark also the Tasks page at `/tasks.html`, the
/// `@mediapipe/tasks-vision` package under `/tasks/` and Balie's model at `/model.tflite`
/// (with the metadata Tasks needs: benches/fixtures/add_tflite_metadata.py).
/// One thread per connection; answers the base URL.
pub fn serve_reference(picture: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let root = repository();
    let picture = std::sync::Arc::new(picture);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (root, picture) = (root.clone(), picture.clone());
            std::thread::spawn(move || {
                let mut reader = BufReader::new(&stream);
                let mut request = String::new();
                if reader.read_line(&mut request).is_err() {
                    return;
                }
                // Skip the headers.
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let path = request.split_whitespace().nth(1).unwrap_or("/");
                let (body, kind) = match path {
                    "/" => (
                        std::fs::read(root.join("benches/mediapipe-segment.html")).ok(),
                        "text/html",
                    ),
                    "/tasks.html" => (
                        std::fs::read(root.join("benches/mediapipe-tasks-cpu.html")).ok(),
                        "text/html",
                    ),
                    "/picture.rgb" => (Some(picture.to_vec()), "application/octet-stream"),
                    "/model.tflite" => (
                        std::fs::read(root.join(
                            "benches/fixtures/selfie_segmentation_landscape.metadata.tflite",
                        ))
                        .ok(),
                        "application/octet-stream",
                    ),
                    p if (p.starts_with("/mp/") || p.starts_with("/tasks/"))
                        && !p.contains("..") =>
                    {
                        let file = match p.strip_prefix("/mp/") {
                            Some(rest) => root
                                .join("node_modules/@mediapipe/selfie_segmentation")
                                .join(rest),
                            None => root
                                .join("node_modules/@mediapipe/tasks-vision")
                                .join(&p["/tasks/".len()..]),
                        };
                        let kind = match file.extension().and_then(|e| e.to_str()) {
                            Some("js" | "mjs") => "text/javascript",
                            Some("wasm") => "application/wasm",
                            _ => "application/octet-stream",
                        };
                        (std::fs::read(file).ok(), kind)
                    }
                    _ => (None, ""),
                };
                let mut stream = &stream;
                let _ = match body {
                    Some(body) => stream
                        .write_all(
                            format!(
                                "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                                body.len()
                            )
                            .as_bytes(),
                        )
                        .and_then(|()| stream.write_all(&body)),
                    None => stream.write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    ),
                };
            });
        }
    });
    url
}

/// What the page's promise `call` (an expression over `arguments[0]`) settles to, given
/// `argument`; a rejection fails the test with `what`.
async fn settled(
    client: &fantoccini::Client,
    call: &str,
    argument: serde_json::Value,
    what: &str,
) -> serde_json::Value {
    let result = client
        .execute_async(
            &format!(
                "const done = arguments[arguments.length - 1];
                 {call}.then(done, (e) => done({{ error: String(e) }}));"
            ),
            vec![argument],
        )
        .await
        .unwrap();
    assert!(result.get("error").is_none(), "{what} failed: {result}");
    result
}

/// The bytes of the page's mask (a JSON array of numbers 0–255).
fn mask_bytes(mask: &serde_json::Value) -> Vec<u8> {
    mask.as_array()
        .expect("a mask")
        .iter()
        .map(|v| v.as_u64().expect("a byte") as u8)
        .collect()
}

/// MediaPipe's mask of the served picture (one byte per pixel), and its milliseconds per
/// picture over `runs` more runs.
pub async fn mediapipe_mask(
    client: &fantoccini::Client,
    url: &str,
    runs: u32,
) -> (Vec<u8>, Option<f64>) {
    client.goto(url).await.unwrap();
    let result = settled(
        client,
        "mediapipeSegment(arguments[0])",
        serde_json::json!(runs),
        "MediaPipe",
    )
    .await;
    let mask = mask_bytes(&result["mask"]);
    (mask, result["ms"].as_f64())
}

/// MediaPipe Tasks' image segmenter on its CPU path, loaded in `client` on the served
/// picture and run `warmups` times untimed; answers the WebAssembly build it loaded. Then
/// [`mediapipe_tasks_run`] times it.
pub async fn mediapipe_tasks_prepare(
    client: &fantoccini::Client,
    url: &str,
    warmups: u32,
) -> String {
    client.goto(&format!("{url}/tasks.html")).await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while client
        .execute("return typeof window.tasksPrepare === 'function'", vec![])
        .await
        .unwrap()
        .as_bool()
        != Some(true)
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the Tasks page did not load"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let result = settled(
        client,
        "tasksPrepare(arguments[0])",
        serde_json::json!(warmups),
        "MediaPipe Tasks",
    )
    .await;
    result.as_str().unwrap_or("").to_string()
}

/// `runs` segmentations by the prepared Tasks segmenter, each timed alone in the page
/// (milliseconds), and the last mask (one byte per pixel, 255 = person).
pub async fn mediapipe_tasks_run(client: &fantoccini::Client, runs: u32) -> (Vec<f64>, Vec<u8>) {
    let result = client
        .execute(
            "return tasksRun(arguments[0]);",
            vec![serde_json::json!(runs)],
        )
        .await
        .unwrap();
    let times = result["times"]
        .as_array()
        .expect("times")
        .iter()
        .map(|v| v.as_f64().expect("a time"))
        .collect();
    (times, mask_bytes(&result["mask"]))
}
