//! The statistics the figures use, on whole numbers, each with the definition the report
//! prints beside it.

/// The median of `values`: the middle value, or the mean of the two middle values (rounded
/// down) when there is an even number; `None` when there are none. Sorts `values`.
pub fn median(values: &mut [i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    if n % 2 == 1 {
        Some(values[n / 2])
    } else {
        let (a, b) = (i128::from(values[n / 2 - 1]), i128::from(values[n / 2]));
        // The mean of two i64 fits an i64.
        Some(i64::try_from((a + b).div_euclid(2)).unwrap_or(i64::MAX))
    }
}

/// The 90th percentile of `values` by the nearest-rank method: the smallest value with at
/// least 90% of the values at or below it (the ⌈0.9·n⌉-th in order); `None` when there
/// are none. Sorts `values`.
pub fn p90(values: &mut [i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let rank = (values.len() * 9).div_ceil(10);
    Some(values[rank.max(1) - 1])
}

/// `part / whole` in thousandths, rounded half up; `None` when `whole` is 0.
pub fn per_mille(part: u64, whole: u64) -> Option<u32> {
    if whole == 0 {
        return None;
    }
    let v = (u128::from(part) * 2000 + u128::from(whole)) / (u128::from(whole) * 2);
    Some(u32::try_from(v).unwrap_or(u32::MAX))
}

/// The mean of `sum / n` in thousandths, rounded half up; `None` when `n` is 0.
pub fn mean_milli(sum: i64, n: u64) -> Option<i64> {
    if n == 0 {
        return None;
    }
    let n = i128::from(n);
    let v = (i128::from(sum) * 2000 + n).div_euclid(n * 2);
    Some(i64::try_from(v).unwrap_or(i64::MAX))
}

/// The mean of `sum / n`, rounded half up; `None` when `n` is 0.
pub fn mean_rounded(sum: i64, n: u64) -> Option<i64> {
    if n == 0 {
        return None;
    }
    let n = i128::from(n);
    let v = (i128::from(sum) * 2 + n).div_euclid(n * 2);
    Some(i64::try_from(v).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn median_and_p90_by_their_definitions() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [7]), Some(7));
        assert_eq!(median(&mut [9, 1, 5]), Some(5));
        assert_eq!(median(&mut [4, 1, 3, 2]), Some(2)); // (2 + 3) / 2 rounded down
        assert_eq!(p90(&mut [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), Some(9));
        assert_eq!(p90(&mut [10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11]), Some(10));
        assert_eq!(p90(&mut [3]), Some(3));
        assert_eq!(per_mille(1, 3), Some(333));
        assert_eq!(per_mille(2, 3), Some(667));
        assert_eq!(per_mille(0, 0), None);
        assert_eq!(mean_milli(7, 2), Some(3500));
        assert_eq!(mean_milli(10, 3), Some(3333));
        assert_eq!(mean_rounded(5, 2), Some(3));
        assert_eq!(mean_rounded(-5, 2), Some(-2));
    }

    proptest! {
        #[test]
        fn p90_has_at_least_ninety_percent_at_or_below_it(mut v in proptest::collection::vec(-1000i64..1000, 1..200)) {
            let p = p90(&mut v).unwrap();
            let at_or_below = v.iter().filter(|x| **x <= p).count();
            prop_assert!(at_or_below * 10 >= v.len() * 9);
            let below = v.iter().filter(|x| **x < p).count();
            prop_assert!(below * 10 < v.len() * 9);
        }

        #[test]
        fn the_median_splits_the_values_in_halves(mut v in proptest::collection::vec(-1000i64..1000, 1..200)) {
            let m = median(&mut v).unwrap();
            prop_assert!(v.iter().filter(|x| **x <= m).count() * 2 >= v.len());
            prop_assert!(v.iter().filter(|x| **x >= m).count() * 2 >= v.len());
        }
    }
}
