//! What a person must see, checked in the page and kept as a picture: an element is
//! *seen* when it is rendered (not `hidden`, not `display: none`, not transparent, not
//! zero-sized), lies inside the viewport, and the topmost element at its centre is it or
//! inside it (nothing covers it). Screenshots go to `BALIE_SCREENSHOTS`, by default
//! `target/screenshots` of the repository, where a person opens them.

use fantoccini::Client;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// JavaScript: `null` when `el` is seen, else why not.
const WHY_NOT_SEEN: &str = "
  const style = getComputedStyle(el);
  if (el.closest('[hidden]')) return 'hidden';
  if (style.display === 'none' || style.visibility !== 'visible' || Number(style.opacity) === 0) return 'not rendered';
  const r = el.getBoundingClientRect();
  if (r.width < 1 || r.height < 1) return 'zero-sized';
  if (r.left < 0 || r.top < 0 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5)
    return `outside the viewport: ${JSON.stringify(r)} in ${innerWidth}x${innerHeight}`;
  const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  if (!top || !(top === el || el.contains(top))) return `covered by ${top ? top.outerHTML.slice(0, 80) : 'nothing'}`;
  return null;";

/// `None` when the element matched by `css` is seen now, else why it is not.
pub async fn why_not_seen(client: &Client, css: &str) -> Option<String> {
    let script = format!(
        "const el = document.querySelector({css:?}); if (!el) return 'absent'; {WHY_NOT_SEEN}"
    );
    let why = client.execute(&script, vec![]).await.unwrap();
    (!why.is_null()).then(|| why.as_str().map_or_else(|| why.to_string(), str::to_string))
}

/// Waits (up to 10 s) until the element matched by `css` is seen; panics with the reason
/// it is not.
pub async fn wait_seen(client: &Client, css: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let Some(why) = why_not_seen(client, css).await else {
            return;
        };
        assert!(Instant::now() < deadline, "{css} is not seen: {why}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Asserts that the element matched by `css` is not rendered at all (a person does not
/// see it, a screen reader does not read it): absent, `hidden`, or `display: none` on it
/// or an ancestor. Being merely off-screen or covered does not count.
pub async fn assert_not_rendered(client: &Client, css: &str) {
    let script = format!(
        "const el = document.querySelector({css:?});
         if (!el) return null;
         const r = el.getBoundingClientRect();
         return el.getClientRects().length === 0 ? null
           : `rendered at ${{JSON.stringify(r)}}: ${{el.outerHTML.slice(0, 80)}}`;"
    );
    let why = client.execute(&script, vec![]).await.unwrap();
    assert!(why.is_null(), "{css} should not be there: {why}");
}

/// Asserts that every element with the `hidden` attribute has no box: a stylesheet rule
/// that sets `display` on it (a class with `display: flex`) would bring it back, as the
/// knock banner once was, empty and always there. Names the ones that show.
pub async fn assert_hidden_means_gone(client: &Client) {
    let shown = client
        .execute(
            "return [...document.querySelectorAll('[hidden]')]
               .filter(e => e.getClientRects().length > 0)
               .map(e => e.outerHTML.slice(0, 100));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        shown,
        serde_json::json!([]),
        "elements marked hidden that still show"
    );
}

/// Makes the page's viewport (`innerWidth` x `innerHeight`) exactly `width` x `height`
/// CSS pixels, as on a phone of that size: the window is resized, then corrected by what
/// the browser's own frame takes.
pub async fn set_viewport(client: &Client, width: u32, height: u32) {
    let inner = || async {
        let v = client
            .execute("return [innerWidth, innerHeight];", vec![])
            .await
            .unwrap();
        let n = |i: usize| u32::try_from(v[i].as_u64().unwrap()).unwrap();
        (n(0), n(1))
    };
    // The window's frame (if any) is what the window has beyond its page: measured
    // before each resize and added, so the first resize is usually right; a resize takes
    // a moment to reach the page.
    for _ in 0..3 {
        let (outer_w, outer_h) = client.get_window_size().await.unwrap();
        let (now_w, now_h) = inner().await;
        if (now_w, now_h) == (width, height) {
            return;
        }
        let window_w = width + u32::try_from(outer_w).unwrap_or(0).saturating_sub(now_w);
        let window_h = height + u32::try_from(outer_h).unwrap_or(0).saturating_sub(now_h);
        client.set_window_size(window_w, window_h).await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(2);
        while inner().await != (width, height) && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    if inner().await == (width, height) {
        return;
    }
    panic!(
        "the viewport could not be set to {width}x{height}: {:?}",
        inner().await
    );
}

/// Scrolls the element matched by `css` into view, as a person scrolls to it, then waits
/// until it is seen. For what lies below the fold by design; what must be seen without
/// scrolling is checked with [`wait_seen`] alone.
pub async fn scroll_and_see(client: &Client, css: &str) {
    client
        .execute(
            &format!("document.querySelector({css:?})?.scrollIntoView({{ block: 'center' }}); return true;"),
            vec![],
        )
        .await
        .unwrap();
    wait_seen(client, css).await;
}

/// Asserts that the page does not scroll sideways (WCAG 1.4.10, reflow): nothing is
/// wider than the viewport without its scrollbar; names what sticks out.
pub async fn no_sideways_scroll(client: &Client) {
    let wide = client
        .execute(
            "const w = document.documentElement.clientWidth;
             if (document.documentElement.scrollWidth <= w) return null;
             const boxes = [...document.querySelectorAll('body *')]
               .filter(e => e.getBoundingClientRect().right > w + 0.5)
               .map(e => `${e.tagName.toLowerCase()}.${e.className} ends at ${Math.round(e.getBoundingClientRect().right)} of ${w}`);
             // Text wider than its own box (a word that cannot break) sticks out too.
             const texts = [...document.querySelectorAll('body *')]
               .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible' && e.clientWidth > 0)
               .map(e => `${e.tagName.toLowerCase()}.${e.className}: content ${e.scrollWidth} wide in ${e.clientWidth}`);
             return [...boxes, ...texts].slice(0, 5);",
            vec![],
        )
        .await
        .unwrap();
    assert!(wide.is_null(), "the page scrolls sideways: {wide}");
}

/// The folder screenshots go to.
pub fn screenshot_dir() -> PathBuf {
    std::env::var_os("BALIE_SCREENSHOTS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots"),
        PathBuf::from,
    )
}

/// Saves what the window shows now as `name.png` in [`screenshot_dir`]; its path.
///
/// WebKitGTK takes the picture at the page's next frame, and a page where nothing changes
/// makes none: the screenshot then never comes (measured with WebKitWebDriver under Xvfb).
/// So for three seconds a 1x1 pixel in the corner changes its near-transparent shade
/// (1–2 % black) every 30 ms, which makes frames and is invisible in the picture.
pub async fn screenshot(client: &Client, name: &str) -> PathBuf {
    let dir = screenshot_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.png"));
    client
        .execute(
            "const tick = document.createElement('div');
             tick.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;pointer-events:none;z-index:2147483647';
             tick.setAttribute('aria-hidden', 'true');
             document.documentElement.append(tick);
             let n = 0;
             const every = setInterval(() => { n++; tick.style.background = n % 2 ? 'rgba(0,0,0,0.01)' : 'rgba(0,0,0,0.02)'; }, 30);
             setTimeout(() => { clearInterval(every); tick.remove(); }, 3000);
             return true;",
            vec![],
        )
        .await
        .unwrap();
    std::fs::write(&path, client.screenshot().await.unwrap()).unwrap();
    path
}
