//! Writes the person mask of a picture, to look at: `mask IN.ppm OUT.pgm`, where IN is a
//! binary PPM of the model's size (256x144) and OUT a greyscale PGM (white = person).

use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, input, output] = args.as_slice() else {
        return Err("usage: mask IN.ppm OUT.pgm".into());
    };
    let mut segmenter = balie_segment::Segmenter::new()?;
    let (width, height) = segmenter.input_size();
    let file = std::fs::read(input)?;
    let header = format!("P6\n{width} {height}\n255\n");
    if !file.starts_with(header.as_bytes()) || file.len() != header.len() + width * height * 3 {
        return Err(format!("{input} is not a {width}x{height} binary PPM").into());
    }
    let pixels = &file[header.len()..];
    let mask = segmenter.segment(|values| {
        for (value, &byte) in values.iter_mut().zip(pixels) {
            *value = f32::from(byte) / 255.0;
        }
    });
    let mut out = std::fs::File::create(output)?;
    write!(out, "P5\n{width} {height}\n255\n")?;
    out.write_all(
        &mask
            .iter()
            .map(|p| (p * 255.0).round() as u8)
            .collect::<Vec<_>>(),
    )?;
    Ok(())
}
