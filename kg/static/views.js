// The three views of a set of events: a map (Leaflet over Natural Earth country outlines
// shipped with the page), a timeline (Chart.js, stacked bars by type) and the actor network
// (Cytoscape.js, attacker -> target). Each calls `select(title, events)` when an analyst
// clicks a marker, a bar, an edge or a node.

/* global L, topojson, Chart, cytoscape */
import { PRECISIONS } from "./events.js";

const el = (id) => document.getElementById(id);

// -- map ------------------------------------------------------------------------------------
const PRECISION_STYLE = {
  exact: { fillOpacity: 0.85, weight: 1, dashArray: null, outline: "#ffffff" },
  near: { fillOpacity: 0.5, weight: 2, dashArray: null },
  region: { fillOpacity: 0.15, weight: 2, dashArray: "5 3" },
  country: { fillOpacity: 0, weight: 2.5, dashArray: "2 4" },
};

function radius(fatalities, count) {
  // area grows with the toll; a group of events starts a little larger than one event
  return Math.min(30, 5 + 2.5 * Math.sqrt(fatalities) + (count > 1 ? 2 : 0));
}

function markerStyle(precision, colour, fatalities, count) {
  const style = PRECISION_STYLE[precision] || PRECISION_STYLE.exact;
  let r = radius(fatalities, count);
  if (precision === "country") r = Math.max(r, 12); // a ring, not a point
  return {
    radius: r, color: style.outline || colour, fillColor: colour, weight: style.weight,
    fillOpacity: style.fillOpacity, dashArray: style.dashArray, opacity: 1,
  };
}

function swatch(precision, colour, r = 7) {
  const style = markerStyle(precision, colour, 0, 1);
  const size = 2 * r + 6;
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("width", size);
  svg.setAttribute("height", size);
  const circle = document.createElementNS("http://www.w3.org/2000/svg", "circle");
  circle.setAttribute("cx", size / 2);
  circle.setAttribute("cy", size / 2);
  circle.setAttribute("r", r);
  circle.setAttribute("fill", colour);
  circle.setAttribute("fill-opacity", style.fillOpacity);
  circle.setAttribute("stroke", precision === "exact" ? "#555" : style.color);
  circle.setAttribute("stroke-width", style.weight);
  if (style.dashArray) circle.setAttribute("stroke-dasharray", style.dashArray);
  svg.append(circle);
  return svg;
}

export class EventMap {
  constructor(container, select) {
    this.select = select;
    this.map = L.map(container, { zoomSnap: 0.5, minZoom: 1, maxZoom: 13, worldCopyJump: true });
    this.map.attributionControl.setPrefix(false);
    this.map.attributionControl.addAttribution(
      "Leaflet · country outlines: Natural Earth (public domain), via world-atlas");
    this.map.setView([15, 10], 2);
    this.map.createPane("base").style.zIndex = 250;
    this.markers = L.layerGroup().addTo(this.map);
    this.fitted = false;
  }

  // The base map: Natural Earth's country outlines, TopoJSON shipped in kg/static/vendor.
  async loadBase() {
    const response = await fetch("/static/vendor/world-atlas/countries-50m.json");
    if (!response.ok) throw new Error("the country outlines are missing");
    const topology = await response.json();
    const countries = topojson.feature(topology, topology.objects.countries);
    L.geoJSON(countries, {
      pane: "base", interactive: false,
      style: { color: "#9aa0a6", weight: 0.6, fillColor: "#f4f1ea", fillOpacity: 1 },
    }).addTo(this.map);
  }

  show(events, colours) {
    this.markers.clearLayers();
    const groups = new Map();
    for (const event of events) {
      if (!event.point) continue;
      const key = `${event.point[0].toFixed(4)},${event.point[1].toFixed(4)}|${event.precision}`;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(event);
    }
    const bounds = [];
    const precisionsShown = new Set();
    for (const group of groups.values()) {
      const first = group[0];
      const counts = new Map();
      for (const e of group) counts.set(e.type, (counts.get(e.type) || 0) + 1);
      const type = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
      const fatalities = group.reduce((sum, e) => sum + (e.fatalities || 0), 0);
      const precision = first.precision || "exact";
      precisionsShown.add(precision);
      const marker = L.circleMarker(first.point, {
        ...markerStyle(precision, colours.get(type), fatalities, group.length),
        className: `kg-event-marker kg-precision-${precision}`,
      });
      const types = [...counts.keys()].map((t) => group.find((e) => e.type === t).typeLabel);
      const where = first.precision === "country" ? `${first.countryName || first.place} (located only to the country)`
        : `${first.place || "?"} (${PRECISIONS[precision]})`;
      // Leaflet writes a string tooltip as HTML: place names come from articles, so text nodes
      const tip = document.createElement("span");
      tip.append(`${group.length === 1 ? "1 event" : group.length + " events"} · ${where}`,
        document.createElement("br"),
        types.join(", ") + (fatalities ? ` · ${fatalities} killed` : ""));
      marker.bindTooltip(tip, { sticky: true });
      marker.on("click", () => this.select(`${group.length} events at ${first.place || "this point"}`, group));
      marker.addTo(this.markers);
      marker.getElement()?.setAttribute("data-events", group.map((e) => e.id).join(" "));
      if (group.length > 1) { // the number of events, written on the circle
        L.marker(first.point, {
          icon: L.divIcon({ className: "marker-count", html: String(group.length),
                            iconSize: [24, 14] }),
          interactive: false, keyboard: false,
        }).addTo(this.markers);
      }
      bounds.push(first.point);
    }
    this.drawLegend(events, colours, precisionsShown);
    if (bounds.length) {
      this.map.fitBounds(L.latLngBounds(bounds).pad(0.15), { maxZoom: 6, animate: false });
    } else {
      this.map.setView([15, 10], 2, { animate: false });
    }
    return groups.size;
  }

  drawLegend(events, colours, precisions) {
    const box = el("map-legend");
    box.replaceChildren();
    const types = new Map();
    for (const e of events) if (e.point) types.set(e.type, e.typeLabel);
    for (const [type, label] of [...types.entries()].sort((a, b) => a[1].localeCompare(b[1]))) {
      const row = L.DomUtil.create("span", "legend-row", box);
      row.append(swatch("exact", colours.get(type), 5), " ", label);
    }
    if (precisions.size) L.DomUtil.create("span", "legend-gap", box);
    for (const precision of Object.keys(PRECISIONS)) {
      if (!precisions.has(precision)) continue;
      const row = L.DomUtil.create("span", "legend-row", box);
      row.append(swatch(precision, "#555"), " ", PRECISIONS[precision]);
    }
  }
}

// -- timeline --------------------------------------------------------------------------------
function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

function binStart(day, unit) {
  const date = new Date(day + "T00:00:00Z");
  if (unit === "year") return `${date.getUTCFullYear()}`;
  if (unit === "month") return day.slice(0, 7);
  const monday = new Date(date);
  monday.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7));
  return isoDay(monday);
}

function nextBin(key, unit) {
  if (unit === "year") return String(Number(key) + 1);
  if (unit === "month") {
    const [y, m] = key.split("-").map(Number);
    return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
  }
  const date = new Date(key + "T00:00:00Z");
  date.setUTCDate(date.getUTCDate() + 7);
  return isoDay(date);
}

function chooseUnit(first, last) {
  const days = (new Date(last) - new Date(first)) / 86_400_000;
  if (days <= 180) return "week";
  if (days <= 366 * 8) return "month";
  return "year";
}

export class Timeline {
  constructor(canvas, select) {
    this.select = select;
    this.bins = [];
    this.chart = new Chart(canvas, {
      type: "bar",
      data: { labels: [], datasets: [] },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        scales: { x: { stacked: true, ticks: { maxRotation: 0, autoSkipPadding: 12 } },
                  y: { stacked: true, beginAtZero: true, ticks: { precision: 0 },
                       title: { display: true, text: "events" } } },
        // the colours are the map's, and its legend names them
        plugins: { legend: { display: false }, tooltip: { mode: "index", intersect: false,
                                                             filter: (item) => item.raw > 0 } },
        onClick: (evt, elements) => this.clicked(elements),
        onHover: (evt, elements) => {
          evt.native.target.style.cursor = elements.length ? "pointer" : "default";
        },
      },
    });
  }

  clicked(elements) {
    if (!elements.length) return;
    const { datasetIndex, index } = elements[0];
    const dataset = this.chart.data.datasets[datasetIndex];
    const events = dataset.events[index];
    if (events.length) this.select(`${dataset.label}, ${this.chart.data.labels[index]}`, events);
  }

  show(events, colours, unit) {
    const dated = events.filter((e) => e.date).sort((a, b) => (a.date < b.date ? -1 : 1));
    const note = [];
    if (events.length > dated.length) note.push(`${events.length - dated.length} undated not shown`);
    if (!dated.length) {
      this.chart.data.labels = [];
      this.chart.data.datasets = [];
      this.chart.update();
      el("timeline-note").textContent = note.join("; ");
      return 0;
    }
    if (unit === "auto") unit = chooseUnit(dated[0].date, dated[dated.length - 1].date);
    let keys = [];
    const last = binStart(dated[dated.length - 1].date, unit);
    for (let key = binStart(dated[0].date, unit); keys.length < 2000; key = nextBin(key, unit)) {
      keys.push(key);
      if (key === last) break;
    }
    const index = new Map(keys.map((k, i) => [k, i]));
    const types = new Map();
    for (const event of dated) {
      if (!types.has(event.type)) {
        types.set(event.type, { label: event.typeLabel, data: keys.map(() => 0),
                                events: keys.map(() => []),
                                backgroundColor: colours.get(event.type) });
      }
      const i = index.get(binStart(event.date, unit));
      if (i === undefined) continue;
      const dataset = types.get(event.type);
      dataset.data[i] += 1;
      dataset.events[i].push(event);
    }
    if (unit === "week") keys = keys.map((k) => "week of " + k);
    this.chart.data.labels = keys;
    this.chart.data.datasets = [...types.values()].sort((a, b) => a.label.localeCompare(b.label));
    this.chart.update();
    note.unshift(`per ${unit}`);
    el("timeline-note").textContent = "— " + note.join("; ");
    return dated.length;
  }
}

// -- network ---------------------------------------------------------------------------------
export class Network {
  constructor(container, select) {
    this.select = select;
    this.edgeEvents = new Map();
    this.nodeEvents = new Map();
    this.cy = cytoscape({
      container, minZoom: 0.2, maxZoom: 3,
      style: [
        { selector: "node", style: {
          "background-color": "data(colour)", label: "data(label)", width: "data(size)",
          height: "data(size)", "font-size": 11, "text-valign": "bottom", "text-margin-y": 3,
          "text-wrap": "ellipsis", "text-max-width": 140, color: "#1d2430",
          "text-background-color": "#ffffff", "text-background-opacity": 0.7,
          "min-zoomed-font-size": 7 } },
        { selector: "node[?unnamed]", style: { shape: "round-rectangle" } },
        { selector: "edge", style: {
          width: "data(width)", "line-color": "data(colour)", "target-arrow-color": "data(colour)",
          "target-arrow-shape": "triangle", "curve-style": "bezier", "arrow-scale": 1.1,
          label: "data(label)", "font-size": 10, "text-background-color": "#ffffff",
          "text-background-opacity": 0.8, opacity: 0.85, "min-zoomed-font-size": 7 } },
        { selector: ":selected", style: { "overlay-opacity": 0.15 } },
      ],
    });
    // Cytoscape caches where its container sits on the page and renews it on scrolls and
    // resizes only; the views above it (the map's legend, the filters) move it without either
    const renew = () => this.cy.resize();
    new ResizeObserver(renew).observe(el("views"));
    container.addEventListener("mouseenter", renew);
    this.cy.on("tap", "edge", (evt) => {
      const data = evt.target.data();
      this.select(`${data.sourceName} → ${data.targetName}`, this.edgeEvents.get(data.id));
    });
    this.cy.on("tap", "node", (evt) => {
      const data = evt.target.data();
      this.select(`Events of ${data.label}`, this.nodeEvents.get(data.id), false);
    });
  }

  // unlinked: "grouped" (one node per wording), "each" (one node per event, as the graph
  // holds them) or "hidden"
  show(events, colours, unlinked) {
    const edges = new Map();
    const actors = new Map();
    let hidden = 0;
    const node = (side) => (side.unnamed && unlinked === "grouped"
      ? { ...side, actor: "words:" + side.name.trim().toLowerCase() } : side);
    for (const event of events) {
      const sources = event.sides.filter((s) => s.side === "source");
      const targets = event.sides.filter((s) => s.side === "target" && !s.object);
      for (const s of sources.map(node)) {
        for (const t of targets.map(node)) {
          if (s.actor === t.actor) continue;
          if (unlinked === "hidden" && (s.unnamed || t.unnamed)) {
            hidden += 1;
            continue;
          }
          const id = `${s.actor} -> ${t.actor}`;
          if (!edges.has(id)) edges.set(id, { s, t, events: new Map(), types: new Map() });
          const edge = edges.get(id);
          edge.events.set(event.id, event);
          edge.types.set(event.type, (edge.types.get(event.type) || 0) + 1);
          for (const side of [s, t]) {
            if (!actors.has(side.actor)) actors.set(side.actor, { side, events: new Map() });
            actors.get(side.actor).events.set(event.id, event);
          }
        }
      }
    }
    this.edgeEvents = new Map([...edges].map(([id, e]) => [id, [...e.events.values()]]));
    this.nodeEvents = new Map([...actors].map(([id, a]) => [id, [...a.events.values()]]));
    const elements = [];
    for (const [id, { side, events: own }] of actors) {
      elements.push({ group: "nodes", data: {
        id, label: side.name, unnamed: side.unnamed,
        colour: side.unnamed ? "#9aa5b1" : "#2b3a4a", size: 14 + 6 * Math.sqrt(own.size) } });
    }
    for (const [id, edge] of edges) {
      const weight = edge.events.size;
      const type = [...edge.types.entries()].sort((a, b) => b[1] - a[1])[0][0];
      elements.push({ group: "edges", data: {
        id, source: edge.s.actor, target: edge.t.actor, weight,
        sourceName: edge.s.name, targetName: edge.t.name,
        label: weight > 1 ? String(weight) : "", colour: colours.get(type),
        width: Math.min(12, 1.5 + 1.5 * Math.sqrt(weight)) } });
    }
    this.cy.elements().remove();
    this.cy.add(elements);
    const layout = actors.size > 400 ? { name: "concentric", animate: false }
      : { name: "cose", animate: false, randomize: false, nodeRepulsion: () => 9000,
          idealEdgeLength: () => 90, padding: 30, numIter: 1500 };
    this.cy.layout(layout).run();
    this.cy.fit(undefined, 30);
    if (this.cy.zoom() > 1.2) { // a few nodes: keep them at their own size, in the middle
      this.cy.zoom(1.2);
      this.cy.center();
    }
    const notes = [];
    if (!edges.size) notes.push("no attacker → target pair in view");
    if (hidden) notes.push(`${hidden} links with unnamed sides hidden`);
    el("network-note").textContent = notes.length ? "— " + notes.join("; ") : "";
    return { nodes: actors.size, edges: edges.size };
  }
}
