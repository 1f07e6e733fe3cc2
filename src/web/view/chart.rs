//! Horizontal bar charts drawn on the server as inline SVG (no script): the label column
//! is as wide as the longest label, so that no label is cut off, and the chart is drawn
//! at its own size, scaled down only where the screen is narrower.

use maud::{html, Markup};

use crate::domain::shown;

/// One bar: its label, its amount in fen, and the address it links to, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    /// What the bar stands for.
    pub label: String,
    /// Its amount (not negative).
    pub fen: i64,
    /// Where a click on the bar leads.
    pub href: Option<String>,
}

/// The height of a row of the chart, in pixels.
const ROW: usize = 26;
/// The width of the longest bar, in pixels.
const BAR: usize = 240;
/// The font size of the chart's text, in pixels: wide (CJK) characters take this much,
/// narrow ones (digits, ASCII) a little over half.
const FONT: usize = 13;

/// How wide `text` is drawn, in pixels, erring on the wide side.
fn text_width(text: &str) -> usize {
    text.chars()
        .map(|c| if c.is_ascii() { FONT * 2 / 3 } else { FONT })
        .sum()
}

/// The figure after a bar: 万元.
fn figure(fen: i64) -> String {
    format!("{} 万元", shown::wan(fen))
}

/// A horizontal bar chart titled `title`: one bar per entry, its width in proportion to
/// the largest, its label before it and its figure in 万元 after it.
pub fn bar_chart(title: &str, bars: &[Bar]) -> Markup {
    let max = bars.iter().map(|b| b.fen).max().unwrap_or(1).max(1);
    let label_width = bars.iter().map(|b| text_width(&b.label)).max().unwrap_or(0) + 10;
    let figure_width = bars
        .iter()
        .map(|b| text_width(&figure(b.fen)))
        .max()
        .unwrap_or(0);
    let width = label_width + BAR + 8 + figure_width + 4;
    let height = bars.len() * ROW + 8;
    html! {
        figure class="card chart" {
            figcaption { (title) }
            svg class="chart" role="img" aria-label=(title)
                viewBox={ "0 0 " (width) " " (height) } width=(width) height=(height) {
                @for (i, bar) in bars.iter().enumerate() {
                    @let y = i * ROW + 4;
                    // Integer arithmetic on fen: the bar's width in pixels out of BAR.
                    @let length = usize::try_from(
                        i128::try_from(BAR).unwrap_or(0) * i128::from(bar.fen.max(0)) / i128::from(max)
                    ).unwrap_or(0);
                    @let row = html! {
                        text x="0" y=(y + 14) { (bar.label) }
                        rect x=(label_width) y=(y) width=(length) height="18" fill="#a4161a" {}
                        text x=(label_width + length + 6) y=(y + 14) { (figure(bar.fen)) }
                    };
                    @match &bar.href {
                        Some(href) => { a href=(href) { title { (bar.label) "：" (figure(bar.fen)) } (row) } }
                        None => { (row) }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::view::tests::{assert_escaped, hostile};

    fn bar(label: &str, fen: i64, href: Option<&str>) -> Bar {
        Bar {
            label: label.to_owned(),
            fen,
            href: href.map(str::to_owned),
        }
    }

    #[test]
    fn bars_are_drawn_in_proportion_to_the_largest() {
        let html = bar_chart(
            &hostile("title"),
            &[bar("甲", 200, None), bar("乙", 50, Some("/assets?x=1&y=2"))],
        )
        .into_string();
        assert_escaped(&html, &["title"]);
        // 23 for the labels, 240 and 8 for the bars, "0.00005 万元" (eight narrow characters
        // and two wide: 64 + 26) and 4 to spare.
        assert!(
            html.contains("viewBox=\"0 0 365 60\" width=\"365\" height=\"60\""),
            "{html}"
        );
        assert!(html.contains(
            "<text x=\"0\" y=\"18\">甲</text><rect x=\"23\" y=\"4\" width=\"240\" height=\"18\" fill=\"#a4161a\"></rect><text x=\"269\" y=\"18\">0.0002 万元</text>"
        ), "{html}");
        assert!(html.contains(
            "<a href=\"/assets?x=1&amp;y=2\"><title>乙：0.00005 万元</title><text x=\"0\" y=\"44\">乙</text><rect x=\"23\" y=\"30\" width=\"60\" height=\"18\""
        ), "{html}");
    }

    #[test]
    fn the_label_column_holds_the_longest_label() {
        let html = bar_chart(
            "t",
            &[bar("经营性", 1, None), bar("未形成资产的项目", 1, None)],
        )
        .into_string();
        // Eight wide characters: 104 pixels, and 10 to spare before the bars.
        assert!(html.contains("<rect x=\"114\""), "{html}");
    }
}
