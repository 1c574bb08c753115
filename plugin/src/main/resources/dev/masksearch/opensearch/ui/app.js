// The MaskSearch web UI: plain JavaScript, served by the plugin, talking to the node's own REST API.
// Everything taken from documents or responses reaches the page through textContent, Option or CSSOM, never HTML.
'use strict';

const $ = id => document.getElementById(id);
const state = {
  fields: { mask: [], roi: [], binary: [], keyword: [], text: [], url: [], nested: [] },
  docCount: 0,
  restrict: [],   // term filters added from the confusion matrix: {field, value}
  views: new Map() // document id -> what its canvas shows (image, mask, roi), for enlarging and augmenting
};

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

async function api(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers['Content-Type'] = 'application/json';
    options.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
  if (!response.ok) {
    const reason = json && json.error ? (json.error.root_cause && json.error.root_cause[0]
        ? json.error.root_cause[0].reason : JSON.stringify(json.error)) : text;
    throw new Error(method + ' ' + path + ' -> ' + response.status + ': ' + String(reason).slice(0, 800));
  }
  return json;
}

function showError(error) {
  const box = $('error');
  box.textContent = error ? String(error.message || error) : '';
  box.classList.toggle('hidden', !error);
}

// prefer: the name to select (a string, compared as it is) or a pattern of names (a RegExp literal of this file).
function setOptions(select, values, prefer, allowNone) {
  const previous = select.value;
  select.replaceChildren();
  if (allowNone) select.add(new Option('(none)', ''));
  for (const v of values) select.add(new Option(v, v));
  const preferred = v => typeof prefer === 'string' ? v === prefer : Boolean(prefer && prefer.test(v));
  const pick = values.includes(previous) ? previous : (values.find(preferred) || (allowNone ? '' : values[0]));
  if (pick !== undefined) select.value = pick;
}

// ---- index and mapping -------------------------------------------------------------------------------------------

async function loadIndices() {
  const rows = await api('GET', '/_cat/indices?format=json&h=index,docs.count&s=index');
  const names = rows.map(r => r.index).filter(n => !n.startsWith('.'));
  state.counts = Object.fromEntries(rows.map(r => [r.index, Number(r['docs.count'])]));
  const wanted = new URLSearchParams(location.search).get('index');
  setOptions($('index'), names, wanted || 'images');
  if (names.length) await loadMapping();
}

function collectFields(properties, prefix, out) {
  for (const [name, spec] of Object.entries(properties || {})) {
    const path = prefix + name;
    const type = spec.type;
    if (type === 'nested') { // objects of a document (COCO instances): their own fields, queried inside `nested`
      const objects = { path, mask: [], roi: [], binary: [], keyword: [], text: [], url: [], nested: [] };
      collectFields(spec.properties, path + '.', objects);
      out.nested.push(objects);
      continue;
    }
    if (spec.properties) collectFields(spec.properties, path + '.', out);
    if (type === 'mask') out.mask.push(path);
    else if (type === 'mask_roi') out.roi.push(path);
    else if (type === 'binary') out.binary.push(path);
    else if (type === 'keyword') { out.keyword.push(path); if (/url|uri|href|image|path/i.test(name)) out.url.push(path); }
    else if (type === 'text' || type === 'integer' || type === 'long' || type === 'float' || type === 'double') out.text.push(path);
  }
}

async function loadMapping() {
  const index = $('index').value;
  const mapping = await api('GET', '/' + encodeURIComponent(index) + '/_mapping');
  const fields = { mask: [], roi: [], binary: [], keyword: [], text: [], url: [], nested: [] };
  for (const m of Object.values(mapping)) collectFields(m.mappings && m.mappings.properties, '', fields);
  state.fields = fields;
  state.docCount = state.counts[index] || 0;
  setOptions($('maskField'), fields.mask, /saliency/);
  setOptions($('likeField'), fields.mask, /saliency/);
  setOptions($('iouA'), fields.mask, /saliency/);
  setOptions($('iouB'), fields.mask, /human/);
  if (fields.mask.length > 1 && $('iouA').value === $('iouB').value) $('iouB').value = fields.mask.find(f => f !== $('iouA').value);
  setOptions($('roiField'), fields.roi, /bbox|box/);
  setOptions($('imageField'), [...fields.binary, ...fields.url], /image/, true);
  setOptions($('labelField'), fields.keyword, /^label$|label|truth|^gt/, true);
  setOptions($('predField'), fields.keyword, /^predicted$|pred/, true);
  $('indexInfo').textContent = state.docCount.toLocaleString('en') + ' documents; mask fields: '
      + (fields.mask.join(', ') || 'none') + '; box fields: ' + (fields.roi.join(', ') || 'none');
  $('roiKind').value = fields.roi.length ? 'field' : 'full';
  const withMasks = fields.nested.filter(n => n.mask.length);
  setOptions($('objPath'), withMasks.map(n => n.path), /objects/);
  $('modeObjects').disabled = withMasks.length === 0;
  if (!withMasks.length && $('mode').value === 'objects') $('mode').value = 'cp';
  loadObjectFields();
  updateForm();
  $('indexInfo').dataset.index = index;
}

/** The nested objects chosen in the form, with their fields. */
function objects() {
  return state.fields.nested.find(n => n.path === $('objPath').value) || null;
}

function loadObjectFields() {
  const o = objects();
  setOptions($('objMask'), o ? o.mask : [], /mask/);
  setOptions($('objRoi'), o ? o.roi : [], /box/, true);
  setOptions($('objCatField'), o ? o.keyword : [], /category$|label/, true);
}

// ---- the query form ----------------------------------------------------------------------------------------------

function num(id) {
  const v = Number($(id).value);
  if (!Number.isFinite(v)) throw new Error('not a number: ' + id);
  return v;
}

function fixedBox() {
  const parts = $('box').value.split(/[\s,]+/).filter(Boolean).map(Number);
  if (parts.length !== 4 || parts.some(p => !Number.isInteger(p))) throw new Error('the box needs 4 integers x1, y1, x2, y2');
  return parts;
}

function roiSpec() {
  switch ($('roiKind').value) {
    case 'box': return fixedBox();
    case 'field': return { field: $('roiField').value };
    case 'polygon': return { polygon: polygonPoints() };
    default: return null;
  }
}

/** The polygon's points from the form: "x,y; x,y; ...", at least three. */
function polygonPoints() {
  const points = $('poly').value.split(';').map(p => p.trim()).filter(Boolean)
      .map(p => p.split(/[\s,]+/).filter(Boolean).map(Number));
  if (points.length < 3 || points.some(p => p.length !== 2 || !p.every(Number.isFinite))) {
    throw new Error('a polygon needs at least three points x,y; click a result\'s image to add them');
  }
  return points;
}

/** The region in the expression language; null for a polygon, which expressions do not take. */
function roiExpr(roi) {
  if (roi === null) return 'full';
  if (roi.polygon) return null;
  return Array.isArray(roi) ? '[' + roi.join(', ') + ']' : roi.field;
}

function buildQuery() {
  const mode = $('mode').value, op = $('op').value;
  const filters = [];
  const text = $('text').value.trim();
  if (text) filters.push({ query_string: { query: text } });
  for (const r of state.restrict) filters.push({ term: { [r.field]: r.value } });
  const body = { size: op === 'topk' ? num('k') : num('size'), track_total_hits: true, profile: true };
  let must = null, expr, sort = null, query = null;
  if (mode === 'cp') {
    const roi = roiSpec();
    const cp = { field: $('maskField').value };
    if (roi !== null) cp.roi = roi;
    cp.range = [num('lv'), num('uv')];
    if ($('normalize').checked) cp.normalize = true;
    expr = roiExpr(roi) === null ? null
        : 'cp(' + cp.field + ', ' + roiExpr(roi) + ', ' + cp.range[0] + ', ' + cp.range[1] + ')'
          + (cp.normalize ? ' / area(' + roiExpr(roi) + ')' : '');
    if (op === 'filter') {
      filters.push({ cp: Object.assign({}, cp, { [$('cmp').value]: num('threshold') }) });
    } else if ($('order').value === 'desc') {
      // The exact top k by score: the top-k form alone, or the scoring form beside the filters.
      if (filters.length === 0) query = { cp: Object.assign({}, cp, { k: num('k') }) };
      else { must = { cp }; body.track_total_hits = false; }
    } else {
      sort = [{ cp: Object.assign({}, cp, { order: 'asc' }) }];
    }
  } else if (mode === 'like') {
    // The masks most like one document's: its mask is fetched by the node (like: {index, id}).
    const id = $('likeId').value.trim();
    if (!id) throw new Error('choose a document: press "like this" on a result, or type its id');
    const like = { field: $('likeField').value, like: { index: $('index').value, id },
      similarity: $('likeSim').value, threshold: num('likeThr') };
    if (op === 'filter') filters.push({ mask_like: Object.assign({}, like, { [$('cmp').value]: num('threshold') }) });
    else if ($('order').value === 'desc') {
      if (filters.length === 0) query = { mask_like: Object.assign({}, like, { k: num('k') }) };
      else { must = { mask_like: like }; body.track_total_hits = false; }
    } else sort = [{ mask_like: Object.assign({}, like, { order: 'asc' }) }];
  } else if (mode === 'objects') {
    // Each object's own mask in its own box (or whole), inside a nested query; inner hits name the objects.
    const cp = { field: $('objMask').value };
    if ($('objRoi').value) cp.roi = { field: $('objRoi').value };
    cp.range = [num('objLv'), num('objUv')];
    if ($('objNormalize').checked) cp.normalize = true;
    cp[$('cmp').value] = num('threshold');
    const inner = [{ cp }];
    const category = $('objCat').value.trim();
    if ($('objCatField').value && category) inner.unshift({ term: { [$('objCatField').value]: category } });
    filters.push({ nested: { path: $('objPath').value, query: { bool: { filter: inner } },
      inner_hits: { _source: false, size: 100 } } });
  } else {
    expr = 'iou(' + $('iouA').value + ' > ' + num('iouAThr') + ', ' + $('iouB').value + ' > ' + num('iouBThr') + ')';
    if (op === 'filter') filters.push({ mask_expr: { expr, [$('cmp').value]: num('threshold') } });
    else sort = [{ mask_expr: { expr, order: $('order').value } }];
  }
  if (!query) {
    if (must || filters.length) {
      query = { bool: {} };
      if (must) query.bool.must = [must];
      if (filters.length) query.bool.filter = filters;
    } else {
      query = { match_all: {} };
    }
  }
  body.query = query;
  if (sort) body.sort = sort;
  if (op === 'filter' && expr) {
    // Each hit's value; script_fields alone would drop _source (the image and the masks), so ask for it too.
    body.script_fields = { cp_value: { script: { lang: 'masksearch', source: expr } } };
    body._source = true;
  }
  return body;
}

function updateForm() {
  const mode = $('mode').value, roi = $('roiKind').value;
  if (mode === 'objects') $('op').value = 'filter'; // objects are filtered; the images come in index order
  $('op').options[1].disabled = mode === 'objects';
  const op = $('op').value;
  $('cpForm').classList.toggle('hidden', mode !== 'cp');
  $('iouForm').classList.toggle('hidden', mode !== 'iou');
  $('objForm').classList.toggle('hidden', mode !== 'objects');
  $('likeForm').classList.toggle('hidden', mode !== 'like');
  $('boxRow').classList.toggle('hidden', roi !== 'box');
  $('polyRow').classList.toggle('hidden', roi !== 'polygon');
  $('roiFieldRow').classList.toggle('hidden', roi !== 'field');
  $('filterRow').classList.toggle('hidden', op !== 'filter');
  $('topkRow').classList.toggle('hidden', op !== 'topk');
  generate();
}

/** Writes the form's query into the DSL box; false (the error shown) when the form is incomplete. */
function generate() {
  try {
    $('dsl').value = JSON.stringify(buildQuery(), null, 2);
    showError(null);
    return true;
  } catch (e) {
    showError(e);
    return false;
  }
}

function renderRestrictions() {
  const box = $('restrictions');
  box.replaceChildren();
  if (!state.restrict.length) return;
  for (const r of state.restrict) box.append(el('span', 'chip', r.field + ' = ' + r.value));
  const clear = el('button', 'secondary', 'clear');
  clear.type = 'button';
  clear.addEventListener('click', () => { state.restrict = []; renderRestrictions(); generate(); });
  box.append(clear);
}

// ---- running and showing results ---------------------------------------------------------------------------------

function sumProfile(profile) {
  const totals = { cp_masks_read: 0, cp_accepted_by_bounds: 0, cp_rejected_by_bounds: 0, cp_segments_without_chi: 0 };
  let found = false;
  const walk = node => {
    const b = node.breakdown || {};
    for (const key of Object.keys(totals)) if (typeof b[key] === 'number') { totals[key] += b[key]; found = true; }
    for (const child of node.children || []) walk(child);
  };
  for (const shard of (profile && profile.shards) || []) {
    for (const search of shard.searches || []) for (const q of search.query || []) walk(q);
  }
  return found ? totals : null;
}

function valueOf(hit, body) {
  if (hit.fields && hit.fields.cp_value) return hit.fields.cp_value[0];
  // a polygon filter has no expression form, so no per-hit value: the hit matched, that is all
  if ($('op').value === 'filter' && ($('mode').value === 'like'
      || ($('mode').value === 'cp' && $('roiKind').value === 'polygon'))) return IN_FILTER;
  if ($('mode').value === 'objects') return matchedObjects(hit).length;
  if (body.sort && hit.sort) return hit.sort[0];
  return hit._score;
}

/** The value shown for a hit of a filter that has no per-hit value. */
const IN_FILTER = 'in the filter';

function formatValue(v) {
  if (v === IN_FILTER) return v;
  if (v === null || v === undefined) return 'undefined';
  return Number.isInteger(v) ? String(v) : Number(v).toPrecision(4);
}

async function run() {
  showError(null);
  let body;
  try { body = JSON.parse($('dsl').value); } catch (e) { showError(new Error('the query DSL is not valid JSON: ' + e.message)); return; }
  const results = $('results');
  results.replaceChildren();
  $('augmented').replaceChildren(); // augmented images belong to the previous results
  $('augPanel').classList.add('hidden');
  results.dataset.state = 'running';
  state.views.clear();
  try {
    const response = await api('POST', '/' + encodeURIComponent($('index').value) + '/_search', body);
    const hits = response.hits.hits;
    const total = response.hits.total;
    $('hitCount').textContent = (total ? (total.relation === 'gte' ? '≥ ' : '') + total.value + ' hits' : hits.length + ' hits shown')
        + (total && hits.length < total.value ? ', ' + hits.length + ' shown' : '');
    $('hitCount').dataset.total = total ? total.value : '';
    $('took').textContent = 'took ' + response.took + ' ms';
    const counters = sumProfile(response.profile);
    if (counters) {
      const decided = counters.cp_accepted_by_bounds + counters.cp_rejected_by_bounds;
      const considered = decided + counters.cp_masks_read;
      $('masksRead').textContent = 'masks verified: ' + counters.cp_masks_read + ' of ' + considered
          + ' (' + decided + ' decided by bounds; ' + state.docCount + ' documents in the index)'
          + (counters.cp_segments_without_chi ? '; ' + counters.cp_segments_without_chi + ' segments without CHI' : '');
      $('masksRead').dataset.read = counters.cp_masks_read;
    } else {
      $('masksRead').textContent = body.sort ? 'masks verified: not profiled (sorts are not profiled as queries)' : '';
      delete $('masksRead').dataset.read;
    }
    const overlay = overlayField(body);
    hits.forEach((hit, i) => results.append(card(hit, i, valueOf(hit, body), overlay)));
    results.dataset.state = 'done';
    results.dataset.count = hits.length;
  } catch (e) {
    results.dataset.state = 'error';
    showError(e);
  }
}

function overlayField(body) {
  const text = JSON.stringify(body);
  const inQuery = state.fields.mask.filter(f => text.includes('"' + f + '"') || namesOperand(text, f));
  return inQuery[0] || $('maskField').value || state.fields.mask[0];
}

// Whether an expression in text has the field f as an operand: after "(", "," or a space, and before "," or ">"
// (spaces between). Plain string search: a field name may hold any character, a RegExp built from it would not.
function namesOperand(text, f) {
  if (!f) return false;
  for (let at = text.indexOf(f); at >= 0; at = text.indexOf(f, at + 1)) {
    const before = at > 0 ? text[at - 1] : '';
    const after = text.slice(at + f.length).trimStart().charAt(0);
    if ((before === '(' || before === ',' || (before !== '' && before.trim() === '')) && (after === ',' || after === '>')) {
      return true;
    }
  }
  return false;
}

function getPath(source, path) {
  if (source && Object.prototype.hasOwnProperty.call(source, path)) return source[path];
  return path.split('.').reduce((o, k) => (o && typeof o === 'object' ? o[k] : undefined), source);
}

function hitRoi(source) {
  if ($('mode').value !== 'cp') return null;
  const kind = $('roiKind').value;
  if (kind === 'box') { try { return fixedBox(); } catch (e) { return null; } }
  if (kind === 'field') {
    const box = getPath(source, $('roiField').value);
    return Array.isArray(box) && box.length === 4 ? box.map(Number) : null;
  }
  if (kind === 'polygon') { try { return { polygon: polygonPoints() }; } catch (e) { return null; } }
  return null;
}

/** Whether a click on an image adds a polygon point (rather than enlarging it). */
function drawingPolygon() {
  return $('mode').value === 'cp' && $('roiKind').value === 'polygon';
}

/** Adds the clicked pixel (in the mask's coordinates) to the polygon and redraws every result. */
function addPolygonPoint(event, canvas, view) {
  const [w, h] = viewSize(view);
  const rect = canvas.getBoundingClientRect();
  const x = Math.round((event.clientX - rect.left) / rect.width * w);
  const y = Math.round((event.clientY - rect.top) / rect.height * h);
  const text = $('poly').value.trim();
  $('poly').value = (text ? text + '; ' : '') + x + ',' + y;
  redrawRegions();
  generate();
}

function redrawRegions() {
  for (const canvas of document.querySelectorAll('#results canvas')) {
    const view = state.views.get(canvas.dataset.id);
    if (!view) continue;
    let roi = null;
    try { roi = $('roiKind').value === 'polygon' ? { polygon: polygonPoints() } : view.roi; } catch (e) { roi = null; }
    view.roi = roi;
    draw(canvas, view, 1);
  }
}

/** Shows the masks most like a hit's mask: the like form filled with it, top k, run. */
function likeThis(hit, field) {
  $('mode').value = 'like';
  if (state.fields.mask.includes(field)) $('likeField').value = field;
  $('likeId').value = hit._id;
  $('op').value = 'topk';
  $('order').value = 'desc';
  updateForm();
  if (generate()) run();
}

function card(hit, i, value, overlay) {
  const source = hit._source || {};
  const div = el('div', 'card');
  div.dataset.id = hit._id;
  const canvas = el('canvas');
  canvas.dataset.id = hit._id;
  div.append(canvas);
  const pick = el('label', 'pick');
  const box = el('input');
  box.type = 'checkbox';
  box.className = 'select';
  box.value = hit._id;
  pick.append(box, document.createTextNode(' select'));
  div.append(el('div', 'id', (i + 1) + '. ' + hit._id));
  const label = { iou: 'IoU: ', objects: 'objects matched: ',
    like: { iou: 'IoU: ', dice: 'Dice: ', l1: 'L1 similarity: ' }[$('likeSim').value] }[$('mode').value] || 'CP value: ';
  const v = el('div', 'value', label + formatValue(value));
  v.dataset.value = value === null || value === undefined || value === IN_FILTER ? '' : value;
  div.append(v);
  for (const f of [...state.fields.keyword, ...state.fields.text]) {
    const fv = getPath(source, f);
    if (fv === undefined || fv === null || state.fields.url.includes(f) && f === $('imageField').value) continue;
    div.append(el('div', 'field', f + ': ' + String(Array.isArray(fv) ? fv.join(', ') : fv).slice(0, 300)));
  }
  div.append(pick);
  const like = el('button', 'secondary like', 'like this');
  like.type = 'button';
  like.title = 'the masks most like this ' + overlay + ' mask';
  like.addEventListener('click', () => likeThis(hit, overlay));
  div.append(like);
  const view = { id: hit._id, mask: decodeMask(getPath(source, overlay)), roi: hitRoi(source), image: null, label: overlay,
    objects: hitObjects(hit) };
  canvas.dataset.objects = view.objects.length;
  canvas.dataset.matched = view.objects.filter(o => o.matched).map(o => o.offset).join(',');
  state.views.set(hit._id, view);
  canvas.addEventListener('click', e => (drawingPolygon() ? addPolygonPoint(e, canvas, view) : enlarge(view, div)));
  loadImage(getPath(source, $('imageField').value)).then(img => {
    view.image = img;
    draw(canvas, view, 1);
  });
  return div;
}

/** The offsets (in the document's array) of the objects a nested query matched: its inner hits. */
function matchedObjects(hit) {
  const inner = hit.inner_hits && hit.inner_hits[$('objPath').value];
  return inner ? inner.hits.hits.map(h => h._nested.offset) : [];
}

/** The hit's objects of the chosen nested field: decoded mask, box, category, and whether they matched. */
function hitObjects(hit) {
  const o = objects();
  const list = o ? getPath(hit._source || {}, o.path) : null;
  if (!Array.isArray(list)) return [];
  const rel = f => f ? f.slice(o.path.length + 1) : '';
  const matched = new Set(matchedObjects(hit));
  return list.map((obj, offset) => ({
    offset,
    matched: matched.has(offset),
    mask: decodeMask(getPath(obj, rel($('objMask').value))),
    box: rel($('objRoi').value) ? getPath(obj, rel($('objRoi').value)) : null,
    category: rel($('objCatField').value) ? getPath(obj, rel($('objCatField').value)) : null
  }));
}

function imageUrl(value) {
  if (typeof value !== 'string' || !value) return null;
  // Base64 of a JPEG starts with "/9j/", so the picture's magic bytes are checked before any URL form.
  const head = value.slice(0, 8);
  const type = head.startsWith('/9j/') ? 'image/jpeg' : head.startsWith('iVBOR') ? 'image/png'
      : head.startsWith('R0lG') ? 'image/gif' : head.startsWith('UklG') ? 'image/webp' : null;
  if (type) return 'data:' + type + ';base64,' + value.replace(/\s+/g, '');
  // Only absolute http(s) URLs of another origin: a URL of this page's origin (a path such as /_flush, or
  // http://this-node:9200/_flush) would have the browser call the node's own API with the user's credentials
  // because of a document's value. Other origins get no credentials (crossOrigin 'anonymous' in loadImage).
  if (!/^(https?:)?\/\//i.test(value)) return null;
  let url;
  try { url = new URL(value, location.href); } catch (e) { return null; }
  if (url.origin === location.origin || url.username || url.password) return null;
  return url.href;
}

function loadImage(value) {
  const url = imageUrl(value);
  if (!url) return Promise.resolve(null);
  return new Promise(resolve => {
    const img = new Image();
    img.referrerPolicy = 'no-referrer'; // image hosts learn nothing of the page (its address names the index)
    if (!url.startsWith('data:')) img.crossOrigin = 'anonymous'; // no cookies or HTTP auth: this origin is refused
    img.onload = () => resolve(img);
    img.onerror = () => resolve(null);
    img.src = url;
  });
}

function base64Bytes(text) {
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

function half(bits) {
  const s = bits & 0x8000 ? -1 : 1, e = (bits >> 10) & 0x1f, f = bits & 0x3ff;
  if (e === 0) return s * Math.pow(2, -14) * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * Math.pow(2, e - 15) * (1 + f / 1024);
}

/** A mask of _source (canonical {shape, dtype, data} or nested arrays) as {width, height, values}. */
function decodeMask(m) {
  if (!m) return null;
  try {
    if (Array.isArray(m)) {
      const height = m.length, width = m[0].length, values = new Float32Array(width * height);
      m.forEach((row, y) => row.forEach((v, x) => { values[y * width + x] = v; }));
      return { width, height, values };
    }
    if (m.rle) return decodeRle(m.rle);
    if (!m.shape || !m.data) return null;
    const [height, width] = m.shape;
    const bytes = base64Bytes(m.data);
    const data = new DataView(bytes.buffer);
    const values = new Float32Array(width * height);
    for (let i = 0; i < values.length; i++) {
      switch (m.dtype) {
        case 'uint8': values[i] = bytes[i] / 255; break;
        case 'uint16': values[i] = data.getUint16(2 * i, true) / 65535; break;
        case 'float16': values[i] = half(data.getUint16(2 * i, true)); break;
        default: values[i] = data.getFloat32(4 * i, true);
      }
    }
    return { width, height, values };
  } catch (e) {
    return null;
  }
}

/**
 * A binary mask in COCO's run-length encoding: runs over the pixels in column-major order, 0s first; `counts` a
 * list or pycocotools' string code (5 bits a character, the delta against the run two before from the fourth run).
 */
function decodeRle(rle) {
  const [height, width] = rle.size;
  let runs = rle.counts;
  if (typeof runs === 'string') {
    const s = runs;
    runs = [];
    for (let p = 0; p < s.length;) {
      let x = 0, k = 0, more = true;
      while (more) {
        const c = s.charCodeAt(p++) - 48;
        x |= (c & 0x1f) << (5 * k);
        more = (c & 0x20) !== 0;
        k++;
        if (!more && (c & 0x10)) x |= -1 << (5 * k);
      }
      if (runs.length > 2) x += runs[runs.length - 2];
      runs.push(x);
    }
  }
  const values = new Float32Array(width * height);
  let k = 0;
  runs.forEach((run, i) => {
    for (let end = k + run; k < end; k++) if (i % 2 === 1) values[(k % height) * width + Math.floor(k / height)] = 1;
  });
  return { width, height, values };
}

/** A heat map colour (blue, cyan, yellow, red) with an opacity that grows with the value. */
function heat(v) {
  const t = Math.max(0, Math.min(1, v));
  const r = Math.round(255 * Math.min(1, Math.max(0, 1.5 * t - 0.25) * 1.6));
  const g = Math.round(255 * Math.max(0, 1 - Math.abs(2 * t - 1.1) * 1.4));
  const b = Math.round(255 * Math.max(0, 1 - 2.2 * t));
  return [r, g, b, Math.round(150 * t)];
}

function maskCanvas(mask) {
  const off = document.createElement('canvas');
  off.width = mask.width;
  off.height = mask.height;
  const ctx = off.getContext('2d');
  const img = ctx.createImageData(mask.width, mask.height);
  for (let i = 0; i < mask.values.length; i++) {
    const [r, g, b, a] = mask.values[i] > 0.1 ? heat(mask.values[i]) : [0, 0, 0, 0];
    img.data[4 * i] = r; img.data[4 * i + 1] = g; img.data[4 * i + 2] = b; img.data[4 * i + 3] = a;
  }
  ctx.putImageData(img, 0, 0);
  return off;
}

function viewSize(view) {
  if (view.mask) return [view.mask.width, view.mask.height];
  if (view.image) return [view.image.naturalWidth, view.image.naturalHeight];
  return [224, 224];
}

function draw(canvas, view, scale, plain) {
  const [w, h] = viewSize(view);
  canvas.width = w * scale;
  canvas.height = h * scale;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  if (view.image) ctx.drawImage(view.image, 0, 0, canvas.width, canvas.height);
  if (plain) return;
  if (view.mask) {
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(maskCanvas(view.mask), 0, 0, canvas.width, canvas.height);
  }
  if (view.objects && view.objects.length) drawObjects(ctx, view.objects, scale);
  if (view.roi && view.roi.polygon) {
    ctx.strokeStyle = '#00ff66';
    ctx.lineWidth = 2 * scale;
    ctx.beginPath();
    view.roi.polygon.forEach(([x, y], i) => (i ? ctx.lineTo(x * scale, y * scale) : ctx.moveTo(x * scale, y * scale)));
    ctx.closePath();
    ctx.stroke();
  } else if (view.roi) {
    const [x1, y1, x2, y2] = view.roi;
    ctx.strokeStyle = '#00ff66';
    ctx.lineWidth = 2 * scale;
    ctx.strokeRect(x1 * scale, y1 * scale, (x2 - x1) * scale, (y2 - y1) * scale);
  }
  canvas.dataset.rendered = '1';
}

const PALETTE = [[255, 80, 80], [80, 200, 255], [255, 210, 60], [120, 255, 120], [230, 120, 255], [255, 150, 60]];

/**
 * Each object's outline (its mask's pixels with a neighbour outside it) in a colour of its own, and its category at
 * the top left of its box; objects the query matched are drawn bright and marked, the others dim.
 */
function drawObjects(ctx, objects, scale) {
  for (const o of objects) {
    const m = o.mask;
    if (!m) continue;
    const [r, g, b] = PALETTE[o.offset % PALETTE.length];
    const off = document.createElement('canvas');
    off.width = m.width;
    off.height = m.height;
    const octx = off.getContext('2d');
    const img = octx.createImageData(m.width, m.height);
    const on = (x, y) => x >= 0 && y >= 0 && x < m.width && y < m.height && m.values[y * m.width + x] > 0.5;
    for (let y = 0; y < m.height; y++) {
      for (let x = 0; x < m.width; x++) {
        if (on(x, y) && !(on(x - 1, y) && on(x + 1, y) && on(x, y - 1) && on(x, y + 1))) {
          const i = 4 * (y * m.width + x);
          img.data[i] = r; img.data[i + 1] = g; img.data[i + 2] = b; img.data[i + 3] = o.matched ? 255 : 110;
        }
      }
    }
    octx.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(off, 0, 0, m.width * scale, m.height * scale);
    if (o.category !== null && o.category !== undefined) {
      const [x1, y1] = Array.isArray(o.box) && o.box.length === 4 ? o.box : [0, 0];
      ctx.font = (10 * scale) + 'px sans-serif';
      ctx.fillStyle = 'rgba(' + r + ',' + g + ',' + b + ',' + (o.matched ? 1 : 0.6) + ')';
      ctx.fillText((o.matched ? '● ' : '') + String(o.category), x1 * scale + 2, y1 * scale + 10 * scale);
    }
  }
}

function enlarge(view, card) {
  draw($('bigCanvas'), view, 3);
  const roi = !view.roi ? '' : view.roi.polygon ? ', polygon ROI of ' + view.roi.polygon.length + ' points' : ', ROI ' + view.roi.join(', ');
  $('bigCaption').textContent = view.id + ' (' + view.label + ' overlay' + roi + ')';
  $('modal').classList.remove('hidden');
}

// ---- augmentation (scenario 1): pixels outside the ROI randomized ------------------------------------------------

function augment() {
  const chosen = [...document.querySelectorAll('#results input.select:checked')].map(b => state.views.get(b.value)).filter(Boolean);
  const out = $('augmented');
  out.replaceChildren();
  $('augPanel').classList.remove('hidden');
  if (!chosen.length) { out.append(el('p', 'hint', 'Select results first (the checkbox under each image).')); return; }
  for (const view of chosen) {
    const div = el('div', 'card aug');
    div.dataset.id = view.id;
    div.append(el('div', 'id', view.id));
    if (!view.roi) {
      div.append(el('p', 'hint', 'no ROI: nothing outside it to randomize'));
      out.append(div);
      continue;
    }
    const canvas = el('canvas');
    draw(canvas, view, 1, true);
    const ctx = canvas.getContext('2d');
    const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const inside = insideRoi(view.roi);
    for (let y = 0; y < canvas.height; y++) {
      for (let x = 0; x < canvas.width; x++) {
        if (inside(x, y)) continue;
        const p = 4 * (y * canvas.width + x);
        img.data[p] = Math.random() * 256; img.data[p + 1] = Math.random() * 256; img.data[p + 2] = Math.random() * 256;
        img.data[p + 3] = 255;
      }
    }
    ctx.putImageData(img, 0, 0);
    canvas.dataset.rendered = '1';
    div.append(canvas);
    const link = el('a', 'download', 'download PNG');
    link.download = view.id + '-augmented.png';
    div.append(link);
    canvas.toBlob(blob => { if (blob) { link.href = URL.createObjectURL(blob); link.dataset.ready = '1'; } }, 'image/png');
    out.append(div);
  }
}

/** Whether pixel (x, y) lies in a box [x1, y1, x2, y2] or a polygon (its centre inside, even-odd, as the plugin). */
function insideRoi(roi) {
  if (!roi.polygon) {
    const [x1, y1, x2, y2] = roi;
    return (x, y) => x >= x1 && x < x2 && y >= y1 && y < y2;
  }
  const pts = roi.polygon;
  return (x, y) => {
    const px = x + 0.5, py = y + 0.5;
    let inside = false;
    for (let p = 0; p < pts.length; p++) {
      const [xa, ya] = pts[p], [xb, yb] = pts[(p + 1) % pts.length];
      if ((ya > py) !== (yb > py) && xa + (py - ya) * (xb - xa) / (yb - ya) > px) inside = !inside;
    }
    return inside;
  };
}

// ---- confusion matrix --------------------------------------------------------------------------------------------

async function loadMatrix() {
  const labelField = $('labelField').value, predField = $('predField').value;
  const box = $('matrix');
  box.replaceChildren();
  if (!labelField || !predField) { box.append(el('p', 'hint', 'Pick a label and a prediction field (keyword).')); return; }
  try {
    const response = await api('POST', '/' + encodeURIComponent($('index').value) + '/_search', {
      size: 0, aggs: { labels: { terms: { field: labelField, size: 100 }, aggs: { predicted: { terms: { field: predField, size: 100 } } } } }
    });
    const counts = new Map(), labels = [], preds = new Set();
    for (const l of response.aggregations.labels.buckets) {
      labels.push(String(l.key));
      for (const p of l.predicted.buckets) { preds.add(String(p.key)); counts.set(String(l.key) + '\u0000' + String(p.key), p.doc_count); }
    }
    const columns = [...new Set([...labels.filter(l => preds.has(l)), ...[...preds].sort()])];
    const max = Math.max(1, ...counts.values());
    const table = el('table', 'matrix');
    const head = table.createTHead().insertRow();
    head.append(el('th', null, labelField + ' \\ ' + predField));
    for (const c of columns) head.append(el('th', null, c));
    const tbody = table.createTBody();
    for (const l of labels) {
      const row = tbody.insertRow();
      row.append(el('th', null, l));
      for (const p of columns) {
        const n = counts.get(l + '\u0000' + p) || 0;
        const td = el('td', l === p ? 'diag' : 'off', String(n));
        td.dataset.label = l; td.dataset.predicted = p; td.dataset.count = n;
        const a = n ? 0.1 + 0.6 * n / max : 0;
        td.style.backgroundColor = l === p ? 'rgba(0, 107, 180, ' + a + ')' : 'rgba(189, 39, 30, ' + a + ')';
        td.title = n + ' documents with ' + labelField + ' ' + l + ' and ' + predField + ' ' + p;
        td.addEventListener('click', () => openCell(labelField, l, predField, p));
        row.append(td);
      }
    }
    box.append(table);
    const confused = [...counts.entries()].map(([k, n]) => [...k.split('\u0000'), n]).filter(([l, p, n]) => l !== p && n > 0)
        .sort((a, b) => b[2] - a[2]);
    box.append(el('p', 'hint', confused.length ? 'Most confused (click to restrict the results):' : 'No confusion.'));
    const list = el('ul', 'confused');
    for (const [l, p, n] of confused.slice(0, 10)) {
      const li = el('li');
      const b = el('button', null, l + ' → ' + p + ': ' + n);
      b.type = 'button';
      b.dataset.label = l; b.dataset.predicted = p; b.dataset.count = n;
      b.addEventListener('click', () => openCell(labelField, l, predField, p));
      li.append(b);
      list.append(li);
    }
    box.append(list);
    box.dataset.state = 'done';
  } catch (e) {
    showError(e);
  }
}

function openCell(labelField, label, predField, predicted) {
  state.restrict = [{ field: labelField, value: label }, { field: predField, value: predicted }];
  renderRestrictions();
  generate();
  run();
}

// ---- wiring ------------------------------------------------------------------------------------------------------

function init() {
  $('index').addEventListener('change', () => { state.restrict = []; renderRestrictions(); $('matrix').replaceChildren(); loadMapping().catch(showError); });
  for (const id of ['mode', 'op', 'roiKind']) $(id).addEventListener('change', updateForm);
  $('objPath').addEventListener('change', () => { loadObjectFields(); generate(); });
  for (const e of document.querySelectorAll('#queryPanel input, #queryPanel select')) {
    e.addEventListener('input', generate);
    e.addEventListener('change', generate);
  }
  $('generate').addEventListener('click', generate);
  $('polyClear').addEventListener('click', () => { $('poly').value = ''; redrawRegions(); generate(); });
  $('run').addEventListener('click', run);
  $('matrixBtn').addEventListener('click', loadMatrix);
  $('augment').addEventListener('click', augment);
  $('modal').addEventListener('click', () => $('modal').classList.add('hidden'));
  loadIndices().then(() => { document.body.dataset.ready = '1'; }).catch(showError);
}

document.addEventListener('DOMContentLoaded', init);
