//! What an X display shows, read back from the server: the pixels a person sees, including
//! what is drawn outside a web view (the call window's native pictures), which WebDriver's
//! screenshots leave out.

use std::path::Path;
use x11rb::connection::Connection as _;
use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat};

/// A picture of (part of) the screen, 8-bit RGB rows.
#[derive(Clone)]
pub struct Screen {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    rgb: Vec<u8>,
}

impl Screen {
    /// The part `x, y, width, height` of display `display`'s root window, cut to the
    /// screen (24-bit TrueColor servers, as Xvfb and Xorg's dummy driver run here).
    pub fn grab(display: &str, x: i64, y: i64, width: i64, height: i64) -> Screen {
        Reader::new(display).grab(x, y, width, height)
    }

    /// A PNG (8-bit RGB or RGBA, as WebDriver's screenshots are) as a picture.
    pub fn from_png(bytes: &[u8]) -> Screen {
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
            .read_info()
            .expect("a PNG");
        let mut data = vec![0; reader.output_buffer_size().expect("a PNG's size")];
        let info = reader.next_frame(&mut data).expect("the PNG's pixels");
        let channels = match info.color_type {
            png::ColorType::Rgb => 3,
            png::ColorType::Rgba => 4,
            other => panic!("a PNG in {other:?}"),
        };
        assert_eq!(info.bit_depth, png::BitDepth::Eight, "8 bits a channel");
        let rgb = data[..info.buffer_size()]
            .chunks_exact(channels)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        Screen {
            width: info.width,
            height: info.height,
            rgb,
        }
    }

    /// The part `x, y, width, height` of this picture, cut to it.
    pub fn crop(&self, x: u32, y: u32, width: u32, height: u32) -> Screen {
        let (x, y) = (x.min(self.width), y.min(self.height));
        let (width, height) = (width.min(self.width - x), height.min(self.height - y));
        let mut rgb = Vec::with_capacity(width as usize * height as usize * 3);
        for row in y..y + height {
            let start = (row as usize * self.width as usize + x as usize) * 3;
            rgb.extend_from_slice(&self.rgb[start..start + width as usize * 3]);
        }
        Screen { width, height, rgb }
    }

    /// The mean difference per colour channel (0–255) from `other`, over the part both
    /// cover from their top left.
    pub fn difference(&self, other: &Screen) -> f64 {
        let (width, height) = (self.width.min(other.width), self.height.min(other.height));
        let mut sum = 0u64;
        for y in 0..height {
            for x in 0..width {
                let (a, b) = (self.pixel(x, y), other.pixel(x, y));
                sum += u64::from(a.0.abs_diff(b.0))
                    + u64::from(a.1.abs_diff(b.1))
                    + u64::from(a.2.abs_diff(b.2));
            }
        }
        sum as f64 / (3.0 * f64::from(width.max(1)) * f64::from(height.max(1)))
    }

    /// The mean (red, green, blue) of the whole picture.
    pub fn mean(&self) -> (f64, f64, f64) {
        let n = (self.rgb.len() / 3).max(1) as f64;
        let mut sum = [0u64; 3];
        for p in self.rgb.chunks_exact(3) {
            for (s, &c) in sum.iter_mut().zip(p) {
                *s += u64::from(c);
            }
        }
        (sum[0] as f64 / n, sum[1] as f64 / n, sum[2] as f64 / n)
    }

    /// The (red, green, blue) at `x, y`.
    pub fn pixel(&self, x: u32, y: u32) -> (u8, u8, u8) {
        let i = (y as usize * self.width as usize + x as usize) * 3;
        (self.rgb[i], self.rgb[i + 1], self.rgb[i + 2])
    }

    /// The red channel sampled on a `columns` x `rows` grid (nearest pixel), row by row.
    pub fn red_grid(&self, columns: u32, rows: u32) -> Vec<u64> {
        (0..rows)
            .flat_map(|r| {
                (0..columns).map(move |c| {
                    let x = (u64::from(c) * u64::from(self.width) / u64::from(columns)) as u32;
                    let y = (u64::from(r) * u64::from(self.height) / u64::from(rows)) as u32;
                    u64::from(self.pixel(x, y).0)
                })
            })
            .collect()
    }

    /// Saves it as a PNG file.
    pub fn save_png(&self, path: &Path) {
        let file = std::fs::File::create(path).expect("create the screenshot file");
        let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), self.width, self.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder
            .write_header()
            .and_then(|mut w| w.write_image_data(&self.rgb))
            .expect("write the screenshot");
    }
}

/// One connection to an X display's server, to read its screen again and again (a
/// benchmark watching for a picture to appear reads every few milliseconds).
pub struct Reader {
    conn: x11rb::rust_connection::RustConnection,
    root: u32,
    size: (i64, i64),
}

impl Reader {
    /// Connects to display `display` (":99").
    pub fn new(display: &str) -> Reader {
        let (conn, screen) = x11rb::connect(Some(display)).expect("connect to the X server");
        let root_screen = &conn.setup().roots[screen];
        let (root, size) = (
            root_screen.root,
            (
                i64::from(root_screen.width_in_pixels),
                i64::from(root_screen.height_in_pixels),
            ),
        );
        Reader { conn, root, size }
    }

    /// The part `x, y, width, height` of the root window, cut to the screen (24-bit
    /// TrueColor servers, as Xvfb and Xorg's dummy driver run here).
    pub fn grab(&self, x: i64, y: i64, width: i64, height: i64) -> Screen {
        let (sw, sh) = self.size;
        let (left, top) = (x.clamp(0, sw - 1), y.clamp(0, sh - 1));
        let (right, bottom) = (
            (x + width).clamp(left + 1, sw),
            (y + height).clamp(top + 1, sh),
        );
        let (x, y, width, height) = (
            left as i16,
            top as i16,
            (right - left) as u16,
            (bottom - top) as u16,
        );
        let image = self
            .conn
            .get_image(ImageFormat::Z_PIXMAP, self.root, x, y, width, height, !0)
            .expect("GetImage")
            .reply()
            .expect("the screen's pixels");
        assert_eq!(image.depth, 24, "a 24-bit screen");
        // ZPixmap at depth 24: 32 bits per pixel, little-endian BGRx.
        let rgb = image
            .data
            .chunks_exact(4)
            .flat_map(|p| [p[2], p[1], p[0]])
            .collect();
        Screen {
            width: u32::from(width),
            height: u32::from(height),
            rgb,
        }
    }
}
