//! Where the two cockpit windows go, as a pure function of the monitors and what was
//! remembered. No Tauri here: `windows.rs` reads the monitors and applies the plan.
//!
//! Rules:
//! - two or more monitors: the call window (`gesprek`) on the primary monitor, the case
//!   file (`dossier`) maximised on another one;
//! - one monitor: the two windows side by side, without overlap;
//! - a remembered placement is used only for the exact same monitor layout, and only
//!   when it still lies on one of the present monitors — never off-screen.

use serde::{Deserialize, Serialize};

/// A rectangle in physical pixels on the virtual desktop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rect {
    /// Left edge.
    pub x: i32,
    /// Top edge.
    pub y: i32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

impl Rect {
    fn right(&self) -> i64 {
        i64::from(self.x) + i64::from(self.width)
    }

    fn bottom(&self) -> i64 {
        i64::from(self.y) + i64::from(self.height)
    }

    /// The area shared with `other`, in square pixels.
    pub fn overlap_area(&self, other: &Rect) -> u64 {
        let w = self.right().min(other.right()) - i64::from(self.x.max(other.x));
        let h = self.bottom().min(other.bottom()) - i64::from(self.y.max(other.y));
        if w <= 0 || h <= 0 {
            0
        } else {
            (w as u64) * (h as u64)
        }
    }

    fn area(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }
}

/// A monitor as the windowing system reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Monitor {
    /// The system's name for it (`DUMMY1`, `HDMI-1`, `\\.\DISPLAY2`); may be empty.
    pub name: String,
    /// Its area on the virtual desktop.
    pub rect: Rect,
}

/// One window's placement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    /// Outer position and inner size.
    pub rect: Rect,
    /// Maximised on the monitor under `rect`.
    pub maximized: bool,
}

/// Both windows' placements: what is remembered per monitor layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layout {
    /// The call window.
    pub gesprek: Placement,
    /// The case-file window.
    pub dossier: Placement,
}

impl Layout {
    /// The same layout with the two windows' places exchanged.
    pub fn swapped(self) -> Self {
        Self {
            gesprek: self.dossier,
            dossier: self.gesprek,
        }
    }
}

/// A stable key naming a monitor layout: names, positions and sizes, sorted.
pub fn layout_key(monitors: &[Monitor]) -> String {
    let mut parts: Vec<String> = monitors
        .iter()
        .map(|m| {
            format!(
                "{}:{}x{}@{},{}",
                m.name, m.rect.width, m.rect.height, m.rect.x, m.rect.y
            )
        })
        .collect();
    parts.sort();
    parts.join(";")
}

/// The smallest window the cockpit makes, so a placement is always usable.
const MIN_WIDTH: u32 = 480;
const MIN_HEIGHT: u32 = 360;

/// Plans where the windows go. `primary` is the index of the primary monitor, if known.
/// Returns `None` when no monitor is known (the windowing system then decides).
pub fn plan(
    monitors: &[Monitor],
    primary: Option<usize>,
    remembered: Option<&Layout>,
) -> Option<Layout> {
    if monitors.is_empty() {
        return None;
    }
    if let Some(layout) = remembered.filter(|l| fits(l, monitors)) {
        return Some(*layout);
    }
    let call_index = primary.filter(|&i| i < monitors.len()).unwrap_or_else(|| {
        // Without a primary, the monitor at the origin, else the left-most one.
        monitors
            .iter()
            .enumerate()
            .min_by_key(|(_, m)| (m.rect.x != 0 || m.rect.y != 0, m.rect.x, m.rect.y))
            .map_or(0, |(i, _)| i)
    });
    let call_monitor = &monitors[call_index];
    if monitors.len() >= 2 {
        // The other monitor nearest to the call monitor (left to right otherwise).
        let dossier_monitor = monitors
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != call_index)
            .min_by_key(|(_, m)| {
                (i64::from(m.rect.x) - i64::from(call_monitor.rect.x)).abs()
                    + (i64::from(m.rect.y) - i64::from(call_monitor.rect.y)).abs()
            })
            .map(|(_, m)| m)?;
        Some(Layout {
            gesprek: Placement {
                rect: centred(call_monitor.rect, 1280, 860),
                maximized: false,
            },
            dossier: Placement {
                rect: dossier_monitor.rect,
                maximized: true,
            },
        })
    } else {
        let (left, right) = halves(call_monitor.rect);
        Some(Layout {
            gesprek: Placement {
                rect: left,
                maximized: false,
            },
            dossier: Placement {
                rect: right,
                maximized: false,
            },
        })
    }
}

/// A remembered layout fits when each window has most of its area on one present
/// monitor and is at least the minimum size.
fn fits(layout: &Layout, monitors: &[Monitor]) -> bool {
    [layout.gesprek, layout.dossier].iter().all(|p| {
        p.rect.width >= MIN_WIDTH
            && p.rect.height >= MIN_HEIGHT
            && monitors
                .iter()
                .any(|m| p.rect.overlap_area(&m.rect) * 2 >= p.rect.area())
    })
}

fn centred(area: Rect, width: u32, height: u32) -> Rect {
    let width = width
        .min(area.width * 9 / 10)
        .max(MIN_WIDTH.min(area.width));
    let height = height
        .min(area.height * 9 / 10)
        .max(MIN_HEIGHT.min(area.height));
    Rect {
        x: area.x + ((area.width - width) / 2) as i32,
        y: area.y + ((area.height - height) / 2) as i32,
        width,
        height,
    }
}

fn halves(area: Rect) -> (Rect, Rect) {
    let left_width = area.width / 2;
    let left = Rect {
        width: left_width,
        ..area
    };
    let right = Rect {
        x: area.x + left_width as i32,
        width: area.width - left_width,
        ..area
    };
    (left, right)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn monitor(name: &str, x: i32, y: i32, width: u32, height: u32) -> Monitor {
        Monitor {
            name: name.into(),
            rect: Rect {
                x,
                y,
                width,
                height,
            },
        }
    }

    fn monitor_of<'a>(monitors: &'a [Monitor], rect: &Rect) -> Option<&'a Monitor> {
        monitors
            .iter()
            .find(|m| rect.overlap_area(&m.rect) == rect.area())
    }

    #[test]
    fn two_monitors_put_the_dossier_maximised_on_the_other_one() {
        let monitors = [
            monitor("DUMMY0", 0, 0, 1920, 1080),
            monitor("DUMMY1", 1920, 0, 1920, 1080),
        ];
        let layout = plan(&monitors, Some(0), None).unwrap();
        assert_eq!(
            monitor_of(&monitors, &layout.gesprek.rect).unwrap().name,
            "DUMMY0"
        );
        assert_eq!(
            monitor_of(&monitors, &layout.dossier.rect).unwrap().name,
            "DUMMY1"
        );
        assert!(layout.dossier.maximized);
        assert_eq!(layout.dossier.rect, monitors[1].rect);
    }

    #[test]
    fn the_primary_monitor_gets_the_call_even_when_it_is_on_the_right() {
        let monitors = [
            monitor("LAPTOP", 0, 0, 1366, 768),
            monitor("HDMI", 1366, 0, 2560, 1440),
        ];
        let layout = plan(&monitors, Some(1), None).unwrap();
        assert_eq!(
            monitor_of(&monitors, &layout.gesprek.rect).unwrap().name,
            "HDMI"
        );
        assert_eq!(
            monitor_of(&monitors, &layout.dossier.rect).unwrap().name,
            "LAPTOP"
        );
    }

    #[test]
    fn one_monitor_tiles_the_windows_without_overlap() {
        for (w, h) in [(1920, 1080), (1366, 768), (1279, 1023)] {
            let monitors = [monitor("ONLY", 0, 0, w, h)];
            let layout = plan(&monitors, None, None).unwrap();
            assert_eq!(layout.gesprek.rect.overlap_area(&layout.dossier.rect), 0);
            assert_eq!(layout.gesprek.rect.width + layout.dossier.rect.width, w);
            assert!(monitor_of(&monitors, &layout.gesprek.rect).is_some());
            assert!(monitor_of(&monitors, &layout.dossier.rect).is_some());
        }
    }

    #[test]
    fn a_remembered_layout_is_used_while_it_lies_on_a_present_monitor() {
        let monitors = [
            monitor("A", 0, 0, 1920, 1080),
            monitor("B", 1920, 0, 1920, 1080),
        ];
        let remembered = plan(&monitors, Some(0), None).unwrap().swapped();
        assert_eq!(
            plan(&monitors, Some(0), Some(&remembered)),
            Some(remembered)
        );
    }

    #[test]
    fn a_remembered_position_on_a_monitor_that_is_gone_is_never_used() {
        let two = [
            monitor("A", 0, 0, 1920, 1080),
            monitor("B", 1920, 0, 1920, 1080),
        ];
        let remembered = plan(&two, Some(0), None).unwrap();
        let one = [monitor("A", 0, 0, 1920, 1080)];
        let layout = plan(&one, Some(0), Some(&remembered)).unwrap();
        assert_ne!(layout, remembered);
        assert!(monitor_of(&one, &layout.dossier.rect).is_some());
    }

    #[test]
    fn a_tiny_or_absurd_remembered_window_is_not_used() {
        let monitors = [monitor("A", 0, 0, 1920, 1080)];
        let mut remembered = plan(&monitors, None, None).unwrap();
        remembered.gesprek.rect.width = 10;
        assert_ne!(plan(&monitors, None, Some(&remembered)), Some(remembered));
        remembered.gesprek.rect = Rect {
            x: i32::MAX - 5,
            y: i32::MIN,
            width: u32::MAX,
            height: u32::MAX,
        };
        assert_ne!(plan(&monitors, None, Some(&remembered)), Some(remembered));
    }

    #[test]
    fn the_layout_key_does_not_depend_on_the_order_monitors_are_listed() {
        let a = monitor("A", 0, 0, 1920, 1080);
        let b = monitor("B", 1920, 0, 1920, 1080);
        assert_eq!(
            layout_key(&[a.clone(), b.clone()]),
            layout_key(&[b, a.clone()])
        );
        assert_ne!(
            layout_key(std::slice::from_ref(&a)),
            layout_key(&[monitor("A", 0, 0, 1280, 1024)])
        );
    }

    #[test]
    fn no_monitor_means_no_plan() {
        assert_eq!(plan(&[], None, None), None);
    }
}
