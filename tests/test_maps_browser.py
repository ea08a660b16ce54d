"""The map pages in headless Chromium with every request beyond the server blocked: the canvas draws the
nodes, the legend shows, a filter and the year slider change the map, a click opens the node's page."""

from tests.browser import offline_page, wait_for

READY = "window.picMap && window.picMap.ready"
DRAWN_PIXELS = """() => {
  const canvas = document.querySelector('#map canvas');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && (data[i] < 240 || data[i + 1] < 240)) drawn++;
  return drawn;
}"""


def node_count(page) -> int:
    return page.evaluate("window.picMap.nodes.length")


def test_the_cooperation_map_draws_filters_and_opens_a_node(live_server):
    with offline_page(live_server) as (page, blocked):
        requested = []
        page.on("request", lambda r: requested.append(r.url))
        page.goto(f"{live_server}/maps/cooperation")
        wait_for(page, READY)
        everyone = node_count(page)
        assert everyone > 10 and page.evaluate(DRAWN_PIXELS) > 2000  # the canvas really shows the nodes
        legend = page.locator("#legend li")
        assert legend.count() >= 5 and legend.first.is_visible()
        assert "Établissement culturel" in page.inner_text("#legend")
        assert page.locator("#metrics tbody tr").count() == everyone

        page.select_option('select[name="theme"]', "https://w3id.org/pic-euralens/id/theme/culture")
        page.wait_for_url("**theme=*")
        wait_for(page, READY)
        assert 0 < node_count(page) < everyone
        assert "from=" not in page.url  # empty fields stay out of shared links

        page.goto(f"{live_server}/maps/cooperation")
        wait_for(page, READY)
        page.evaluate("""() => { const s = document.getElementById('year'); s.value = 2013;
                                 s.dispatchEvent(new Event('change')); }""")
        page.wait_for_url("**until=2013*")
        wait_for(page, READY)
        assert "from=2013" in page.url and node_count(page) < everyone

        page.goto(f"{live_server}/maps/cooperation")
        wait_for(page, READY)
        node = "https://w3id.org/pic-euralens/id/actor/louvre-lens"
        x, y = page.evaluate(
            """(iri) => {
            const net = window.picMap.network;
            const id = window.picMap.nodes.get({ filter: (n) => n.iri === iri })[0].id;
            net.setOptions({ physics: false });  // where it is clicked, it stays
            net.focus(id, { scale: 2 });  // close up: a neighbour drawn over it would take the click
            const p = net.canvasToDOM(net.getPosition(id));
            if (net.getNodeAt(p) !== id) { throw new Error('another node covers ' + iri); }
            const box = document.querySelector('#map canvas').getBoundingClientRect();
            return [box.left + p.x, box.top + p.y]; }""",
            node,
        )
        with page.expect_navigation():
            page.mouse.click(x, y)
        assert page.url == f"{live_server}/id/actor/louvre-lens"
        assert "Musée du Louvre-Lens" in page.inner_text("h1")
        assert blocked == [], blocked
        assert all(url.startswith(live_server) for url in requested), requested


def test_clustering_by_community_collapses_groups_and_a_double_click_opens_one(live_server):
    with offline_page(live_server) as (page, blocked):
        page.goto(f"{live_server}/maps/cooperation?cluster=community")
        wait_for(page, READY)
        clusters = page.evaluate("window.picMap.clusters")
        shown = "window.picMap.network.body.nodeIndices.length"  # the nodes drawn (clusters count one)
        collapsed = page.evaluate(shown)
        assert clusters >= 2 and collapsed < node_count(page)
        first = page.evaluate("window.picMap.network.body.nodeIndices.find(id => window.picMap.network.isCluster(id))")
        page.evaluate("(id) => window.picMap.network.openCluster(id)", first)
        assert page.evaluate(shown) > collapsed
        assert blocked == [], blocked


def test_the_knowledge_flow_map_in_english_with_its_sortable_table(live_server):
    with offline_page(live_server) as (page, blocked):
        page.goto(f"{live_server}/maps/knowledge-flows?lang=en&size=betweenness")
        wait_for(page, READY)
        assert page.evaluate("window.picMap.edges.get()[0].arrows") == "to"
        assert "Knowledge flows" in page.inner_text("h1")
        header = page.locator("#metrics th").nth(3)  # betweenness
        header.click()
        values = [float(v) for v in page.locator("#metrics tbody tr td:nth-child(4)").all_inner_texts()]
        assert values == sorted(values, reverse=True)
        header.click()
        values = [float(v) for v in page.locator("#metrics tbody tr td:nth-child(4)").all_inner_texts()]
        assert values == sorted(values)
        assert blocked == [], blocked
