//! Unit tests of `assets`.

use super::*;
use crate::domain::{AssetClass, AssetStatus, Yuan};
use crate::web::view::tests::{assert_escaped, escaped, hostile};

fn line(code: String, village: Option<String>, custodian: Option<String>) -> AssetLine {
    AssetLine {
        code,
        name: hostile("name"),
        class: "到户类",
        town: hostile("town"),
        village,
        value_fen: 800_050,
        owner_name: hostile("owner"),
        custodian,
        status: "已登记",
    }
}

fn filter() -> AssetFilter {
    AssetFilter {
        class: Some(AssetClass::Household),
        town: Some(hostile("filter-town")),
        village: Some(hostile("filter-village")),
        owner: Some(hostile("filter-owner")),
        owner_type: None,
        status: Some(AssetStatus::Registered),
        project: Some("P&1".to_owned()),
        year: Some(2020),
        q: Some(hostile("filter-q")),
        department: None,
        condition: None,
        operating_mode: None,
    }
}

/// The second of three pages, as [`number_pages`] numbers them.
fn pages(filter: &AssetFilter) -> Pages {
    let query = filter_query(filter);
    let keys = ["COW-0", "COW-1"];
    let at = |position: i64| {
        let index = usize::try_from(position / 50).expect("not negative");
        Ok::<_, ()>(keys.get(index).map(|key| (*key).to_owned()))
    };
    let after = Cursor::after("COW-0".to_owned());
    let next = Cursor::after("COW-1".to_owned());
    number_pages(
        120,
        PAGE_SIZE,
        (Some(&after), 50),
        Some(&next),
        at,
        |cursor| register_address(&query, cursor),
    )
    .expect("numbered")
}

fn view(can_export: bool) -> RegisterPage {
    let filter = filter();
    RegisterPage {
        pages: pages(&filter),
        filter,
        can_export,
        rows: vec![
            line(
                hostile("code"),
                Some(hostile("village")),
                Some(hostile("custodian")),
            ),
            line("COW-1".to_owned(), None, None),
        ],
        tally: AssetTally {
            assets: 120,
            value: Yuan::from_fen(12_345_678_901).expect("not negative"),
        },
    }
}

#[test]
fn the_register_escapes_its_filters_and_rows() {
    let html = render_register(&view(true)).into_string();
    assert_escaped(
        &html,
        &[
            "filter-town",
            "filter-village",
            "filter-owner",
            "filter-q",
            "code",
            "name",
            "town",
            "village",
            "owner",
            "custodian",
        ],
    );
    assert!(html.contains(&format!(
        "<label>镇街<input name=\"town\" value=\"{}\"></label>",
        escaped("filter-town")
    )));
    assert!(html.contains("<option value=\"household\" selected>到户类</option></select></label>"));
    assert!(html.contains(&format!(
        "<td>{} {}</td><td class=\"n\">0.80005</td><td class=\"n\">8,000.50</td>",
        escaped("town"),
        escaped("village")
    )));
    assert!(html.contains("<tr><td><a href=\"/assets/COW-1\">COW-1</a></td>"));
    assert!(html.contains(&format!(
        "<td>{}</td><td>—</td><td>已登记</td></tr>",
        escaped("owner")
    )));
}

#[test]
fn links_carry_the_filters_percent_encoded() {
    let html = render_register(&view(true)).into_string();
    let query = "class=household&amp;town=%3Cscript%3Ealert%281%29%3C%2Fscript%3E%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E%26amp%3Bfilter-town&amp;";
    assert!(html.contains(&format!(
        "<p class=\"actions\"><a class=\"button secondary\" href=\"/api/v1/assets.csv?{query}"
    )));
    assert!(html.contains("status=registered&amp;project=P%261&amp;year=2020&amp;q="));
    assert!(html.contains("filter-q&amp;encoding=gbk\">下载 CSV（GBK）</a> <a"));
    assert!(html.contains(&format!(
        "<a class=\"button secondary\" href=\"/api/v1/assets.xlsx?{query}"
    )));
    assert!(html.contains("filter-q&amp;\">下载 Excel</a> <button"));
    assert!(html.contains(&format!(
        "<nav class=\"pager\" aria-label=\"分页\"><a href=\"/assets?{query}"
    )));
    assert!(html.contains("filter-q&amp;\">第一页</a>"));
    assert!(html.contains("filter-q&amp;cursor=c1."));
}

#[test]
fn the_register_counts_and_sums_its_filtered_list_and_numbers_its_pages() {
    let html = render_register(&view(true)).into_string();
    assert!(html.contains(
            "<p class=\"tally\">共 <strong>120</strong> 项资产，资产价值合计 <strong>123,456,789.01</strong> 元（12,345.678901 万元）</p>"
        ), "{html}");
    assert!(html.contains(
            "<tfoot><tr><th colspan=\"4\">合计（120 项）</th><td class=\"n\">12,345.678901</td><td class=\"n\">123,456,789.01</td><td colspan=\"3\"></td></tr></tfoot>"
        ));
    let cursor = |key: &str| Cursor::after(key.to_owned()).to_string();
    let pager = &html[html.find("<nav class=\"pager\"").expect("a pager")..];
    let labels: Vec<&str> = pager
        .split('>')
        .filter_map(|part| part.strip_suffix("</a").or(part.strip_suffix("</span")))
        .collect();
    assert_eq!(
        labels,
        ["第一页", "上一页", "1", "2", "3", "下一页", "共 3 页"]
    );
    assert!(pager.contains("<span class=\"current\" aria-current=\"page\">2</span>"));
    assert!(pager.contains(&format!("cursor={}\">3</a>", cursor("COW-1"))));
    assert!(pager.contains(&format!("cursor={}\">下一页</a>", cursor("COW-1"))));
    assert!(html.contains("<button type=\"button\" class=\"secondary print\" data-print>打印</button><script src=\"/static/print.js\"></script>"));
    assert!(html.contains("<label>项目年度<input name=\"year\" type=\"number\" min=\"2000\" max=\"9999\" inputmode=\"numeric\" value=\"2020\"></label>"));
    assert!(html.contains(&format!(
            "<p class=\"print-only\">筛选条件：类别 到户类，镇街 {}，村 {}，项目年度 2020，项目编号 P&amp;1，所有权人 {}，状态 已登记，名称包含 {}</p>",
            escaped("filter-town"),
            escaped("filter-village"),
            escaped("filter-owner"),
            escaped("filter-q")
        )), "{html}");
}

#[test]
fn the_ledger_column_filters_are_kept_in_links_and_described() {
    let mut filtered = view(true);
    filtered.filter = AssetFilter {
        department: Some(hostile("filter-department")),
        condition: Some(crate::domain::AssetCondition::Idle),
        operating_mode: Some(crate::domain::OperatingMode::Lease),
        ..AssetFilter::default()
    };
    let html = render_register(&filtered).into_string();
    assert!(
        html.contains("<option value=\"idle\" selected>闲置</option>"),
        "{html}"
    );
    assert!(
        html.contains("<option value=\"lease\" selected>租赁</option>"),
        "{html}"
    );
    assert!(html.contains("&amp;condition=idle&amp;operating_mode=lease&amp;\">下载 Excel</a>"));
    assert!(html.contains(&format!(
        "<p class=\"print-only\">筛选条件：行业主管部门 {}，资产状态 闲置，经营方式 租赁</p>",
        escaped("filter-department")
    )));
    assert_escaped(&html, &["filter-department"]);
}

#[test]
fn the_page_window_keeps_the_ends_and_the_neighbours() {
    use crate::web::view::page_window;
    assert_eq!(page_window(1, 1), [1]);
    assert_eq!(page_window(1, 10), [1, 2, 3, 10]);
    assert_eq!(page_window(6, 10), [1, 4, 5, 6, 7, 8, 10]);
    assert_eq!(page_window(10, 10), [1, 8, 9, 10]);
}

#[test]
fn readers_get_no_download_and_an_empty_register_says_so() {
    let mut empty = view(false);
    empty.rows.clear();
    empty.tally = AssetTally {
        assets: 0,
        value: Yuan::ZERO,
    };
    empty.filter = AssetFilter::default();
    empty.pages = number_pages(
        0,
        PAGE_SIZE,
        (None, 0),
        None,
        |_| Ok::<_, ()>(None),
        |cursor| register_address("", cursor),
    )
    .expect("numbered");
    assert_eq!(
            render_register(&empty).into_string(),
            "<form class=\"filters card\" method=\"get\" action=\"/assets\"><label>类别<select name=\"class\"><option value=\"\">全部</option><option value=\"operating\">经营性</option><option value=\"public_welfare\">公益性</option><option value=\"household\">到户类</option></select></label><label>镇街<input name=\"town\" value=\"\"></label><label>村<input name=\"village\" value=\"\"></label><label>项目年度<input name=\"year\" type=\"number\" min=\"2000\" max=\"9999\" inputmode=\"numeric\"></label><label>所有权人<input name=\"owner\" value=\"\"></label><label>状态<select name=\"status\"><option value=\"\">全部</option><option value=\"registered\">已登记</option><option value=\"confirmed\">已确权</option><option value=\"disposed\">已处置</option></select></label><label>名称包含<input name=\"q\" value=\"\"></label><label>行业主管部门<input name=\"department\" value=\"\"></label><label>资产状态<select name=\"condition\"><option value=\"\">全部</option><option value=\"normal\">正常</option><option value=\"idle\">闲置</option><option value=\"damaged\">损毁</option></select></label><label>经营方式<select name=\"operating_mode\"><option value=\"\">全部</option><option value=\"self\">自营</option><option value=\"contract\">承包</option><option value=\"lease\">租赁</option><option value=\"equity\">入股</option><option value=\"trust\">托管</option></select></label><button type=\"submit\">查询</button></form><p class=\"actions\"><button type=\"button\" class=\"secondary print\" data-print>打印</button><script src=\"/static/print.js\"></script></p><p class=\"tally\">共 <strong>0</strong> 项资产，资产价值合计 <strong>0.00</strong> 元（0.00 万元）</p><div class=\"scroll\"><table><thead><tr><th>资产编号</th><th>资产名称</th><th>类别</th><th>镇街/村</th><th class=\"n\">资产价值（万元）</th><th class=\"n\">资产价值（元）</th><th>所有权人</th><th>管护主体</th><th>状态</th></tr></thead><tbody><tr><td colspan=\"9\" class=\"muted\">没有符合条件的资产</td></tr></tbody><tfoot><tr><th colspan=\"4\">合计（0 项）</th><td class=\"n\">0.00</td><td class=\"n\">0.00</td><td colspan=\"3\"></td></tr></tfoot></table></div><nav class=\"pager\" aria-label=\"分页\"><span class=\"current\" aria-current=\"page\">1</span><span class=\"muted\">共 1 页</span></nav>"
        );
}
