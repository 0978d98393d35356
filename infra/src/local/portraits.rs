//! Generated portraits for the local photo studio (`shared::identity::local_photo_studio`): an
//! ID photo's shape (358 × 441 pixels, a blue background, head and shoulders) in colours drawn
//! from a seed, so that each local person's permit shows a face of their own and a test can
//! tell one photo from another. Nobody's likeness.

/// The size of an ID photo (GA 461): 358 × 441 pixels.
pub const WIDTH: u16 = 358;
pub const HEIGHT: u16 = 441;

/// A JPEG portrait drawn from `seed`.
pub fn portrait(seed: u64) -> Vec<u8> {
    let mut state = seed ^ 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        // SplitMix64: enough to vary the colours and proportions.
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let pick = |value: u64, choices: &[[u8; 3]]| choices[(value % choices.len() as u64) as usize];
    let background = [67u8, 142, 219];
    let skin = pick(
        next(),
        &[
            [241, 204, 178],
            [226, 185, 150],
            [198, 151, 116],
            [236, 196, 166],
        ],
    );
    let hair = pick(
        next(),
        &[[28, 24, 22], [52, 40, 32], [70, 60, 50], [20, 20, 26]],
    );
    let clothes = pick(
        next(),
        &[[30, 36, 52], [245, 245, 245], [60, 60, 64], [120, 30, 40]],
    );
    let head_rx = 62.0 + (next() % 14) as f64;
    let head_ry = head_rx * 1.3;
    let (cx, cy) = (f64::from(WIDTH) / 2.0, 190.0);
    let mut pixels = Vec::with_capacity(usize::from(WIDTH) * usize::from(HEIGHT) * 3);
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            let (fx, fy) = (f64::from(x), f64::from(y));
            let head = ((fx - cx) / head_rx).powi(2) + ((fy - cy) / head_ry).powi(2);
            let hair_cap = fy < cy - head_ry * 0.35 && head <= 1.08;
            let shoulders =
                fy > 330.0 && ((fx - cx) / 170.0).powi(2) + ((fy - 470.0) / 150.0).powi(2) <= 1.0;
            let neck = (fx - cx).abs() < head_rx * 0.45 && fy > cy && fy < 345.0;
            let colour = if hair_cap {
                hair
            } else if head <= 1.0 || neck {
                skin
            } else if shoulders {
                clothes
            } else {
                background
            };
            pixels.extend_from_slice(&colour);
        }
    }
    let mut jpeg = Vec::new();
    jpeg_encoder::Encoder::new(&mut jpeg, 80)
        .encode(&pixels, WIDTH, HEIGHT, jpeg_encoder::ColorType::Rgb)
        .expect("an in-memory JPEG encodes");
    jpeg
}

/// The 图像号 the local studio gives the photo of a seed: `PH` and 12 digits.
pub fn receipt_no(seed: u64) -> String {
    format!("PH{:012}", seed % 1_000_000_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_portrait_is_a_small_jpeg_of_an_id_photos_size_and_seeds_differ() {
        let one = portrait(1);
        assert!(one.starts_with(&[0xFF, 0xD8]), "a JPEG");
        assert!(one.len() < 40 * 1024, "{} bytes", one.len());
        assert_eq!(portrait(1), one, "the same seed, the same photo");
        assert_ne!(portrait(2), one);
        assert_eq!(receipt_no(42), "PH000000000042");
    }
}
