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

/// Waits (up to 10 s) until the element matched by `css` is seen; panics with the reason
/// it is not.
pub async fn wait_seen(client: &Client, css: &str) {
    let script = format!(
        "const el = document.querySelector({css:?}); if (!el) return 'absent'; {WHY_NOT_SEEN}"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let why = client.execute(&script, vec![]).await.unwrap();
        if why.is_null() {
            return;
        }
        assert!(Instant::now() < deadline, "{css} is not seen: {why}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
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
             return [...document.querySelectorAll('body *')]
               .filter(e => e.getBoundingClientRect().right > w + 0.5)
               .slice(0, 5)
               .map(e => `${e.tagName.toLowerCase()}.${e.className} ends at ${Math.round(e.getBoundingClientRect().right)} of ${w}`);",
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
pub async fn screenshot(client: &Client, name: &str) -> PathBuf {
    let dir = screenshot_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, client.screenshot().await.unwrap()).unwrap();
    path
}
