//! Percentiles of 8-bit values read from a 256-bin histogram, without sorting or copying pixels.

/// The value at sorted position `total * q` of what `histogram` counts (`total` = the sum of
/// its bins), the largest one at `q` = 1; 255 when the histogram is empty.
pub fn percentile(histogram: &[usize; 256], total: usize, q: f64) -> u8 {
    let target = ((total as f64 * q) as usize).min(total.saturating_sub(1));
    let mut seen = 0;
    histogram
        .iter()
        .position(|&n| {
            seen += n;
            seen > target
        })
        .unwrap_or(255) as u8
}

#[cfg(test)]
mod tests {
    use super::percentile;

    fn histogram(values: &[u8]) -> [usize; 256] {
        let mut h = [0; 256];
        values.iter().for_each(|&v| h[v as usize] += 1);
        h
    }

    #[test]
    fn median_is_the_middle_value_as_sorting_would_find_it() {
        for values in [
            &[3u8, 1, 2][..],
            &[4, 1, 3, 2],
            &[200, 200, 7],
            &[0],
            &[255, 255],
        ] {
            let mut sorted = values.to_vec();
            sorted.sort_unstable();
            assert_eq!(
                percentile(&histogram(values), values.len(), 0.5),
                sorted[values.len() / 2],
                "{values:?}"
            );
        }
    }

    #[test]
    fn the_ends_are_the_smallest_and_largest_values() {
        let values = [9u8, 40, 17];
        assert_eq!(percentile(&histogram(&values), 3, 0.0), 9);
        assert_eq!(percentile(&histogram(&values), 3, 1.0), 40);
        assert_eq!(percentile(&histogram(&[]), 0, 1.0), 255);
    }
}
