//! The clothing below a face, sampled on a grid, and how white it is at its outline: the part
//! that would merge with a white backdrop.

/// Clothing samples on a row-major grid: `None` where there is no clothing, else whether the
/// sample is white.
pub struct ClothingGrid {
    /// Each column's offset from the chin's column (pixels, negative to the left).
    offsets: Vec<f32>,
    rows: usize,
    cells: Vec<Option<bool>>,
}

#[derive(Debug, Default, PartialEq)]
pub struct Tally {
    pub samples: usize,
    pub white: usize,
}

impl Tally {
    fn add(&mut self, white: bool) {
        self.samples += 1;
        self.white += usize::from(white);
    }
}

impl ClothingGrid {
    /// Samples `rows` rows of the columns at `offsets`; `cell(column, row)` says whether
    /// there is clothing and whether it is white.
    pub fn sample(
        offsets: Vec<f32>,
        rows: usize,
        mut cell: impl FnMut(usize, usize) -> Option<bool>,
    ) -> Self {
        let width = offsets.len();
        let cells = (0..rows)
            .flat_map(|j| (0..width).map(move |i| (i, j)))
            .map(|(i, j)| cell(i, j))
            .collect();
        ClothingGrid {
            offsets,
            rows,
            cells,
        }
    }

    /// Clothing samples, white or not.
    pub fn samples(&self) -> usize {
        self.cells.iter().flatten().count()
    }

    /// The white and all samples judged. A white shirt under a dark jacket passes: what would
    /// merge with a white backdrop is the clothing at the outline. So in each row, on each side
    /// of the chin, only the outer part of the clothing's span is judged, from `outer_part` of
    /// the way from the innermost sample to the outermost. And the parser's clothing region
    /// bleeds onto the backdrop, edging a dark top on a white wall with "white clothing", so
    /// only samples with clothing (or the grid's edge) up to `margin` cells away on all four
    /// sides are judged: a white top is still white inside its outline.
    pub fn outline(&self, margin: usize, outer_part: f32) -> Tally {
        // Beyond the grid's size every neighbour is off the grid: a larger margin changes nothing.
        let margin = margin.min(self.width().max(self.height()));
        let mut tally = Tally::default();
        let mut row = Vec::with_capacity(self.width());
        for j in 0..self.height() {
            row.clear();
            row.extend((0..self.width()).filter_map(|i| {
                let white = self.cell(i, j)?;
                self.is_interior(i, j, margin)
                    .then_some((self.offsets[i], white))
            }));
            for side in [-1.0f32, 1.0] {
                tally_outer_part(&row, side, outer_part, &mut tally);
            }
        }
        tally
    }

    fn width(&self) -> usize {
        self.offsets.len()
    }

    fn height(&self) -> usize {
        self.rows
    }

    fn cell(&self, i: usize, j: usize) -> Option<bool> {
        self.cells[j * self.width() + i]
    }

    /// Whether the samples up to `margin` cells away on all four sides are clothing or off the
    /// grid. The frame's edge is not the clothing's outline, nor are the search window's sides
    /// (clothing wider than it) or top (well above the chin, where only a high collar reaches).
    fn is_interior(&self, i: usize, j: usize, margin: usize) -> bool {
        let clothing = |i: Option<usize>, j: Option<usize>| match (i, j) {
            (Some(i), Some(j)) if i < self.width() && j < self.height() => {
                self.cell(i, j).is_some()
            }
            _ => true,
        };
        (1..=margin).all(|d| {
            clothing(i.checked_sub(d), Some(j))
                && clothing(i.checked_add(d), Some(j))
                && clothing(Some(i), j.checked_sub(d))
                && clothing(Some(i), j.checked_add(d))
        })
    }
}

/// Adds to `tally` the samples of one row (offset from the chin's column, white) that lie on
/// `side` (-1 left, +1 right) in the outer part of that side's span.
fn tally_outer_part(row: &[(f32, bool)], side: f32, outer_part: f32, tally: &mut Tally) {
    let on_side = || {
        row.iter()
            .filter(move |(offset, _)| offset * side > 0.0)
            .map(|&(offset, white)| (offset.abs(), white))
    };
    let (inner, outer) =
        on_side().fold((f32::MAX, 0f32), |(lo, hi), (d, _)| (lo.min(d), hi.max(d)));
    let from = inner + outer_part * (outer - inner);
    for (_, white) in on_side().filter(|&(d, _)| d >= from) {
        tally.add(white);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A grid drawn in text: '.' no clothing, 'd' dark clothing, 'w' white clothing; the chin's
    /// column is the middle one.
    fn grid(rows: &[&str]) -> ClothingGrid {
        let width = rows[0].len();
        let offsets = (0..width).map(|i| i as f32 - (width / 2) as f32).collect();
        ClothingGrid::sample(offsets, rows.len(), |i, j| match rows[j].as_bytes()[i] {
            b'.' => None,
            b'd' => Some(false),
            b'w' => Some(true),
            c => panic!("unknown cell {}", c as char),
        })
    }

    #[test]
    fn a_white_rim_bled_onto_the_backdrop_is_not_judged() {
        // Shoulders of a dark top sloping up towards the neck, edged with one cell of backdrop
        // the parser took for clothing.
        let top = grid(&[
            "...............",
            "ww...........ww",
            "ddwww.....wwwdd",
            "dddddw...wddddd",
            "dddddd...dddddd",
        ]);
        assert_eq!(top.samples(), 38);
        let inside = top.outline(1, 0.5);
        assert_eq!(inside.white, 0, "{inside:?}");
        assert!(inside.samples > 0);
        // Without the margin the rim is judged as white clothing.
        let all = top.outline(0, 0.5);
        assert!(all.white > 0, "{all:?}");
    }

    #[test]
    fn a_white_top_stays_white_inside_its_outline() {
        // Edged with a darker rim (shadow at the shoulder line), which is left out.
        let top = grid(&[
            "...........",
            "dd.......dd",
            "wdd.....ddw",
            "wwwd...dwww",
            "wwww...wwww",
        ]);
        let t = top.outline(1, 0.5);
        assert!(t.samples > 0 && t.white == t.samples, "{t:?}");
        let rim = top.outline(0, 0.5);
        assert!(rim.white < rim.samples, "{rim:?}");
    }

    #[test]
    fn the_margin_counts_every_cell_up_to_it() {
        // A one-cell gap two cells away: outside a margin of 1, inside one of 2.
        let top = grid(&["ddddd.ddddd", "ddddd.ddddd", "ddddd.ddddd"]);
        assert!(top.is_interior(3, 1, 1));
        assert!(!top.is_interior(3, 1, 2));
        assert!(top.is_interior(0, 1, 2));
        // A margin past the grid's size leaves out everything beside the gap, and no more.
        assert_eq!(top.outline(usize::MAX, 0.0).samples, 0);
        assert_eq!(top.outline(0, 0.0).samples, 30);
    }

    #[test]
    fn an_empty_grid_judges_nothing() {
        for (columns, rows) in [(0, 0), (0, 3), (3, 0)] {
            let empty = ClothingGrid::sample(vec![0.0; columns], rows, |_, _| Some(true));
            assert_eq!(empty.samples(), 0);
            assert_eq!(empty.outline(1, 0.5), Tally::default());
        }
    }

    #[test]
    fn the_frame_edge_is_not_an_outline() {
        // A band of clothing along the bottom edge and the sides: every sample's missing
        // neighbours are off the grid, except towards the neck.
        let top = grid(&["ddd...ddd", "ddd...ddd"]);
        assert!(top.is_interior(0, 1, 1));
        assert!(!top.is_interior(2, 1, 1), "beside the neck gap");
        assert_eq!(top.outline(1, 0.0).samples, 8);
    }

    #[test]
    fn only_the_outer_part_of_each_side_is_judged() {
        // A white shirt front under a dark jacket.
        let row = [(-4.0, false), (-3.0, false), (-2.0, true), (-1.0, true)];
        let mut t = Tally::default();
        tally_outer_part(&row, -1.0, 0.5, &mut t);
        assert_eq!(
            t,
            Tally {
                samples: 2,
                white: 0
            }
        );
        tally_outer_part(&row, 1.0, 0.5, &mut t);
        assert_eq!(t.samples, 2, "nothing on the right");
    }
}
