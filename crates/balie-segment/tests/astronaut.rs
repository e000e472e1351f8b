//! The built-in model on a real photograph: NASA's portrait of astronaut Eileen Collins
//! (public domain; the copy scikit-image ships as `astronaut.png`), cropped to 16:9 and
//! scaled to the model's 256x144.

use balie_segment::Segmenter;

const WIDTH: usize = 256;
const HEIGHT: usize = 144;

/// The fixture's RGB bytes (a binary PPM: a three-line header, then the pixels).
fn astronaut() -> Vec<u8> {
    let file = include_bytes!("fixtures/astronaut-256x144.ppm");
    assert!(file.starts_with(b"P6\n256 144\n255\n"), "fixture header");
    file[file.len() - WIDTH * HEIGHT * 3..].to_vec()
}

fn segment(segmenter: &mut Segmenter, rgb: &[u8]) -> Vec<f32> {
    segmenter
        .segment(|input| {
            for (value, &byte) in input.iter_mut().zip(rgb) {
                *value = f32::from(byte) / 255.0;
            }
        })
        .to_vec()
}

/// The mean probability over a rectangle `x0..x1` by `y0..y1`.
fn mean(mask: &[f32], (x0, x1): (usize, usize), (y0, y1): (usize, usize)) -> f32 {
    let mut sum = 0.0;
    for y in y0..y1 {
        sum += mask[y * WIDTH + x0..y * WIDTH + x1].iter().sum::<f32>();
    }
    sum / ((x1 - x0) * (y1 - y0)) as f32
}

#[test]
fn the_person_is_found_and_the_background_is_not() {
    let mut segmenter = Segmenter::new().expect("model");
    let mask = segment(&mut segmenter, &astronaut());
    assert_eq!(mask.len(), WIDTH * HEIGHT);
    assert!(
        mask.iter().all(|p| (0.0..=1.0).contains(p)),
        "probabilities"
    );

    let face = mean(&mask, (95, 135), (20, 60));
    let suit = mean(&mask, (60, 160), (100, 144));
    let flag = mean(&mask, (0, 20), (0, 60));
    let wall = mean(&mask, (150, 175), (0, 40));
    let corner = mean(&mask, (236, 256), (0, 40));
    assert!(face > 0.9, "face {face}");
    assert!(suit > 0.9, "suit {suit}");
    assert!(flag < 0.1, "flag {flag}");
    assert!(wall < 0.1, "wall {wall}");
    assert!(corner < 0.1, "corner {corner}");

    let person = mask.iter().filter(|&&p| p > 0.5).count() as f32 / mask.len() as f32;
    assert!((0.25..0.6).contains(&person), "person covers {person}");
}

#[test]
fn an_empty_wall_has_no_person() {
    let mut segmenter = Segmenter::new().expect("model");
    let wall: Vec<u8> = (0..WIDTH * HEIGHT).flat_map(|_| [200, 190, 170]).collect();
    let mask = segment(&mut segmenter, &wall);
    let person = mean(&mask, (0, WIDTH), (0, HEIGHT));
    assert!(person < 0.05, "a plain wall is {person} person");
}

#[test]
fn running_again_gives_the_same_mask() {
    // The working buffers are reused; nothing of one run may leak into the next.
    let mut segmenter = Segmenter::new().expect("model");
    let first = segment(&mut segmenter, &astronaut());
    let _ = segment(&mut segmenter, &vec![0; WIDTH * HEIGHT * 3]);
    assert_eq!(segment(&mut segmenter, &astronaut()), first);
}
