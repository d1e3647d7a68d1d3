// servokit dashboard: the pages / (every study) and /studies/<app> (one study), live.
//
// Everything shown that comes from a study (app ids, setting and metric names, values, reasons)
// goes into the page as text: elements are built with createElement and filled with textContent
// or append(string), never with innerHTML. Charts draw on a canvas (Chart.js), which is text too.
// The page polls the read-only JSON API (/api/...) every half second; with a token configured the
// API answers 401 and the page asks for the token once (kept for this tab in sessionStorage).
'use strict';

(() => {
  const pollMilliseconds = 500;
  const tokenKey = 'servokit-dashboard-token';

  // --- small helpers ------------------------------------------------------------------------

  /** An element with attributes and children; strings become text nodes. */
  function element(tag, attributes, ...children) {
    const created = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (name === 'class') created.className = value;
      else created.setAttribute(name, value);
    }
    for (const child of children) {
      if (child !== null && child !== undefined) created.append(child);
    }
    return created;
  }

  /** A number as a person reads it: four significant digits. */
  function readable(value) {
    if (value === null || value === undefined) return '';
    if (typeof value !== 'number') return typeof value === 'string' ? value : JSON.stringify(value);
    if (!Number.isFinite(value)) return String(value);
    if (Number.isInteger(value) && Math.abs(value) < 1e7) return String(value);
    return String(Number(value.toPrecision(4)));
  }

  function percent(value) {
    return (value >= 0 ? '' : '\u2212') + Math.abs(value).toFixed(1) + '%';
  }

  function ago(seconds) {
    if (seconds === null || seconds === undefined) return '';
    const elapsed = Math.max(0, Date.now() / 1000 - seconds);
    if (elapsed < 60) return Math.round(elapsed) + ' s ago';
    if (elapsed < 3600) return Math.round(elapsed / 60) + ' min ago';
    if (elapsed < 86400) return (elapsed / 3600).toFixed(1) + ' h ago';
    return new Date(seconds * 1000).toLocaleString();
  }

  function timestamp(seconds) {
    return seconds ? new Date(seconds * 1000).toLocaleString() : '';
  }

  /** {component: {setting: value}} as [["component.setting", value], ...]. */
  function flatten(settings) {
    const flat = [];
    for (const [component, values] of Object.entries(settings || {})) {
      if (values && typeof values === 'object' && !Array.isArray(values)) {
        for (const [name, value] of Object.entries(values)) flat.push([component + '.' + name, value]);
      } else {
        flat.push([component, values]);
      }
    }
    return flat;
  }

  /** A metric's value: a number, or {value: number, ...} as some drivers report. */
  function metricNumber(value) {
    if (typeof value === 'number') return value;
    if (value && typeof value === 'object' && typeof value.value === 'number') return value.value;
    return value;
  }

  /** The optimization: config as YAML-like text (it was YAML in config.yaml). */
  function yamlText(value, indent) {
    indent = indent || '';
    if (value === null || typeof value !== 'object') return JSON.stringify(value);
    const lines = [];
    if (Array.isArray(value)) {
      if (value.length === 0) return '[]';
      for (const item of value) {
        const text = yamlText(item, indent + '  ');
        lines.push(indent + '- ' + (typeof item === 'object' && item !== null ? text.trimStart() : text));
      }
      return '\n' + lines.join('\n');
    }
    const entries = Object.entries(value).filter(([, member]) => member !== null && member !== undefined);
    if (entries.length === 0) return '{}';
    for (const [key, member] of entries) {
      const text = yamlText(member, indent + '  ');
      lines.push(indent + key + ':' + (text.startsWith('\n') ? text : ' ' + text));
    }
    return '\n' + lines.join('\n');
  }

  // --- the API, the token, the live indicator -----------------------------------------------

  class TokenNeeded extends Error {}
  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(path) {
    const headers = {};
    const token = sessionStorage.getItem(tokenKey);
    if (token) headers.Authorization = 'Bearer ' + token;
    const reply = await fetch(path, {headers, cache: 'no-store'});
    if (reply.status === 401) {
      const hadToken = token !== null;
      sessionStorage.removeItem(tokenKey);
      throw new TokenNeeded(hadToken ? 'that token was refused' : '');
    }
    if (!reply.ok) {
      let message = reply.statusText;
      try {
        message = (await reply.json()).error || message;
      } catch (ignored) { /* not JSON: the status text says enough */ }
      throw new ApiError(reply.status, message);
    }
    return reply.json();
  }

  /** The form that asks for the token, made the first time it is needed. */
  function tokenForm() {
    let form = document.getElementById('token-form');
    if (form) return form;
    form = element('form', {id: 'token-form', class: 'token-form'},
      element('label', {for: 'token-input'}, 'This dashboard needs its access token (the file given to ',
              element('code', {}, '--auth-token'), '):'),
      element('input', {id: 'token-input', type: 'password', autocomplete: 'off', spellcheck: 'false'}),
      element('button', {type: 'submit'}, 'Open'),
      element('p', {id: 'token-problem', class: 'problem'}));
    document.querySelector('main').prepend(form);
    return form;
  }

  /** Shows the token form and resolves once a token was entered. */
  function askToken(problem) {
    const form = tokenForm();
    const input = document.getElementById('token-input');
    const problemText = document.getElementById('token-problem');
    problemText.hidden = !problem;
    problemText.textContent = problem || '';
    form.hidden = false;
    input.focus();
    return new Promise((resolve) => {
      form.onsubmit = (event) => {
        event.preventDefault();
        const token = input.value.trim();
        if (!token) return;
        sessionStorage.setItem(tokenKey, token);
        input.value = '';
        form.hidden = true;
        form.onsubmit = null;
        resolve();
      };
    });
  }

  function showLive(ok, text) {
    const live = document.getElementById('live');
    live.className = 'live ' + (ok ? 'ok' : 'error');
    live.textContent = text;
  }

  /** Runs `step` now and every half second after it finished, asking for the token when needed. */
  async function poll(step) {
    for (;;) {
      try {
        await step();
        showLive(true, 'live');
      } catch (failure) {
        if (failure instanceof TokenNeeded) {
          showLive(false, 'waiting for the token');
          await askToken(failure.message);
          continue;
        }
        if (failure instanceof ApiError) {
          showLive(false, failure.message);
        } else if (failure instanceof TypeError && /fetch/i.test(failure.message)) {
          showLive(false, 'cannot reach the server; retrying');
        } else {
          // A bug of this page: shown where the tests and a developer look.
          console.error(failure);
          showLive(false, 'error: ' + failure.message);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, pollMilliseconds));
    }
  }

  /** "12 / 30", or "12" when the study store did not record the budget. */
  function trialsText(study) {
    return study.budget > 0 ? study.trials + ' / ' + study.budget : String(study.trials);
  }

  function stateCell(state, reason) {
    const cell = element('td', {class: 'state-' + state}, state);
    if (reason) cell.title = reason;
    return cell;
  }

  // --- /: every study -------------------------------------------------------------------------

  function studiesPage() {
    let shown = '';
    poll(async () => {
      const {studies} = await api('/api/studies');
      const text = JSON.stringify(studies);
      if (text === shown) {
        // Nothing new; only the "ago" column moves.
        for (const row of document.querySelectorAll('#studies tbody tr')) {
          row.lastChild.textContent = ago(Number(row.dataset.lastActivity) || null);
        }
        return;
      }
      shown = text;
      document.getElementById('no-studies').hidden = studies.length > 0;
      const rows = studies.map((study) => {
        const gain = study.improvement_percent === null ? '' :
          percent(study.improvement_percent) + (study.improvement_spread === null ? '' : ' \u00B1 ' + study.improvement_spread.toFixed(1) + '%');
        const row = element('tr', {},
          element('td', {}, element('a', {href: '/studies/' + encodeURIComponent(study.app)}, study.app)),
          stateCell(study.state, study.reason),
          element('td', {class: 'number'}, trialsText(study)),
          element('td', {class: 'number'}, gain),
          element('td', {}, study.objective),
          element('td', {title: timestamp(study.last_activity)}, ago(study.last_activity)));
        row.dataset.lastActivity = study.last_activity === null ? '' : String(study.last_activity);
        return row;
      });
      document.querySelector('#studies tbody').replaceChildren(...rows);
    });
  }

  // --- /studies/<app>: one study --------------------------------------------------------------

  const statusColors = {ok: '#2458c6', infeasible: '#a15c00', failed: '#b3261e', rejected: '#7a3fb0'};

  /** The study page's app and the address of its API. */
  function studyAddress() {
    const app = decodeURIComponent(location.pathname.slice('/studies/'.length));
    return {app, base: '/api/studies/' + encodeURIComponent(app)};
  }

  /** The study and its trials after `after`, asked at once. */
  function fetchStudy(base, after) {
    return Promise.all([api(base), api(base + '/trials?after=' + after)]);
  }

  /** `first`: the first fetchStudy, started before Chart.js was run (see the end of this file). */
  function studyPage(first) {
    const {app, base} = studyAddress();
    document.title = 'servokit: ' + app;
    document.getElementById('app-name').textContent = app;
    let prefetched = first;

    const trials = [];
    let overview = null;
    let overviewText = '';
    const sorting = {column: '#', descending: false};
    let lookInList = false;
    const settingCharts = new Map();

    Chart.defaults.animation = false;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    const convergence = new Chart(document.getElementById('convergence'), {
      type: 'scatter',
      data: {
        datasets: [
          {label: 'trial', data: [], backgroundColor: statusColors.ok, pointRadius: 3.5, order: 2},
          {label: 'infeasible', data: [], backgroundColor: statusColors.infeasible, pointStyle: 'crossRot', pointRadius: 6,
           borderColor: statusColors.infeasible, order: 3},
          {label: 'best so far', data: [], type: 'line', stepped: 'after', borderColor: '#1f7a4d', borderWidth: 2,
           pointRadius: 0, order: 1},
          {label: 'baseline', data: [], type: 'line', borderColor: '#6b7280', borderDash: [6, 4], borderWidth: 1.5,
           pointRadius: 0, order: 4},
        ],
      },
      options: {
        maintainAspectRatio: false,
        parsing: false,
        scales: {
          x: {title: {display: true, text: 'trial'}, ticks: {precision: 0}},
          y: {title: {display: true, text: 'objective'}},
        },
        plugins: {legend: {position: 'bottom'}},
      },
    });

    document.getElementById('filter').addEventListener('input', renderTrials);
    document.getElementById('status-filter').addEventListener('change', renderTrials);

    function columns() {
      const settings = new Set();
      const metrics = new Set();
      for (const trial of trials) {
        for (const [name] of flatten(trial.settings)) settings.add(name);
        for (const name of Object.keys(trial.metrics || {})) metrics.add(name);
      }
      return {settings: [...settings], metrics: [...metrics]};
    }

    function renderSummary() {
      const items = [
        ['state', overview.state],
        ['trials', trialsText(overview) + ' (' + overview.ok + ' ok)'],
        ['objective', overview.objective],
        ['best', overview.best ? readable(overview.best.objective) + ' (trial ' + overview.best.trial + ')' : '\u2014'],
        ['baseline', overview.baseline ? readable(overview.baseline.objective) : '\u2014'],
        ['last activity', ago(overview.last_activity)],
      ];
      const summary = document.getElementById('summary');
      summary.replaceChildren(...items.map(([label, value]) => {
        const valueElement = element('span', {class: 'value'}, value);
        if (label === 'state') valueElement.classList.add('state-' + overview.state);
        return element('div', {class: 'item'}, element('span', {class: 'label'}, label), valueElement);
      }));
      if (overview.state === 'failed' && overview.reason) {
        summary.append(element('div', {class: 'item'}, element('span', {class: 'label'}, 'reason'),
                               element('span', {class: 'problem'}, overview.reason)));
      }
      const config = overview.config;
      document.getElementById('config').textContent = config && Object.keys(config).length ?
        'optimization:' + yamlText(config, '  ') : '(not recorded in the study store; shown while a session of this program runs the study)';
    }

    function renderBest() {
      const gain = document.getElementById('gain');
      const best = overview.best;
      const baseline = overview.baseline;
      const pieces = [];
      if (best) {
        const repeats = best.repeats > 1 ? ', mean of ' + best.repeats : '';
        const spread = best.spread === null ? '' : ' \u00B1 ' + readable(best.spread);
        pieces.push('best: ' + readable(best.objective) + spread + ' (trial ' + best.trial + repeats + ')');
      }
      if (baseline) {
        const spread = baseline.spread === null ? '' : ' \u00B1 ' + readable(baseline.spread);
        pieces.push('baseline: ' + readable(baseline.objective) + spread);
      }
      gain.replaceChildren(pieces.join(', ') || 'no successful trial yet');
      if (overview.improvement_percent !== null) {
        const better = overview.improvement_percent >= 0;
        const spread = overview.improvement_spread === null ? '' : ' \u00B1 ' + overview.improvement_spread.toFixed(1) + '%';
        gain.append(element('br'), element(better ? 'strong' : 'span', better ? {} : {class: 'worse'},
          percent(overview.improvement_percent) + spread + (better ? ' better' : ' worse') + ' than the baseline'));
      }
      const bestSettings = new Map(flatten(best ? best.settings : {}));
      const baselineSettings = new Map(flatten(baseline ? baseline.settings : (trials[0] ? trials[0].settings : {})));
      const names = [...new Set([...baselineSettings.keys(), ...bestSettings.keys()])];
      document.querySelector('#best tbody').replaceChildren(...names.map((name) => {
        const before = baselineSettings.get(name);
        const after = bestSettings.get(name);
        const changed = best && JSON.stringify(before) !== JSON.stringify(after);
        return element('tr', changed ? {class: 'changed'} : {},
          element('td', {}, name), element('td', {}, readable(before)), element('td', {}, best ? readable(after) : ''));
      }));
    }

    function renderConvergence() {
      const ok = [];
      const infeasible = [];
      const bestSoFar = [];
      let best = null;
      for (const trial of trials) {
        if (trial.objective === null) continue;
        const point = {x: trial.number, y: trial.objective};
        if (trial.status === 'ok') {
          ok.push(point);
          if (best === null || (overview.goal === 'maximize' ? trial.objective > best : trial.objective < best)) best = trial.objective;
          bestSoFar.push({x: trial.number, y: best});
        } else {
          infeasible.push(point);
        }
      }
      const last = trials.length ? trials[trials.length - 1].number : 1;
      if (bestSoFar.length && bestSoFar[bestSoFar.length - 1].x < last) bestSoFar.push({x: last, y: best});
      const datasets = convergence.data.datasets;
      datasets[0].data = ok;
      datasets[1].data = infeasible;
      datasets[2].data = bestSoFar;
      const baseline = overview.baseline ? overview.baseline.objective : null;
      datasets[3].data = baseline === null ? [] : [{x: 1, y: baseline}, {x: Math.max(last, 2), y: baseline}];
      convergence.update('none');
    }

    function renderSettingCharts() {
      const {settings} = columns();
      const container = document.getElementById('setting-charts');
      for (const name of settings) {
        let entry = settingCharts.get(name);
        const points = [];
        const categories = [];
        for (const trial of trials) {
          if (trial.objective === null || trial.status !== 'ok') continue;
          const value = new Map(flatten(trial.settings)).get(name);
          if (value === undefined) continue;
          let x = value;
          if (typeof value !== 'number') {
            const label = readable(value);
            if (!categories.includes(label)) categories.push(label);
            x = categories.indexOf(label);
          }
          points.push({x, y: trial.objective});
        }
        if (!entry) {
          const canvas = element('canvas', {'aria-label': 'objective against ' + name, role: 'img'});
          const box = element('div', {class: 'setting-chart'}, canvas);
          container.append(box);
          // The entry exists before the chart: Chart.js calls the tick callback while constructing.
          const made = {categories, chart: null};
          made.chart = new Chart(canvas, {
            type: 'scatter',
            data: {datasets: [{label: name, data: [], backgroundColor: statusColors.ok, pointRadius: 3}]},
            options: {
              maintainAspectRatio: false,
              parsing: false,
              plugins: {legend: {display: false}, title: {display: true, text: name}},
              scales: {
                x: {ticks: {callback: (tick) => (made.categories.length ? (made.categories[tick] ?? '') : readable(tick))}},
                y: {title: {display: true, text: 'objective'}},
              },
            },
          });
          entry = made;
          settingCharts.set(name, entry);
        }
        entry.categories = categories;
        entry.chart.options.scales.x.ticks.stepSize = categories.length ? 1 : undefined;
        entry.chart.data.datasets[0].data = points;
        entry.chart.update('none');
      }
    }

    function cellValue(trial, column) {
      if (column.kind === 'number') return trial.number;
      if (column.kind === 'status') return trial.status;
      if (column.kind === 'objective') return trial.objective;
      if (column.kind === 'reason') return trial.reason;
      if (column.kind === 'seconds') return trial.finished && trial.started ? trial.finished - trial.started : null;
      if (column.kind === 'setting') return new Map(flatten(trial.settings)).get(column.name);
      if (column.kind === 'metric') return metricNumber((trial.metrics || {})[column.name]);
      return null;
    }

    function compareValues(left, right) {
      if (left === right) return 0;
      if (left === null || left === undefined) return 1;
      if (right === null || right === undefined) return -1;
      if (typeof left === 'number' && typeof right === 'number') return left - right;
      return String(left).localeCompare(String(right), undefined, {numeric: true});
    }

    function renderTrials() {
      const {settings, metrics} = columns();
      const tableColumns = [
        {title: '#', kind: 'number'},
        {title: 'status', kind: 'status'},
        {title: 'objective', kind: 'objective'},
        ...settings.map((name) => ({title: name, kind: 'setting', name})),
        ...metrics.map((name) => ({title: name, kind: 'metric', name})),
        {title: 'time (s)', kind: 'seconds'},
        {title: 'reason', kind: 'reason'},
      ];
      const head = document.querySelector('#trials thead tr');
      head.replaceChildren(...tableColumns.map((column) => {
        const header = element('th', {}, column.title);
        if (column.title === sorting.column) header.className = sorting.descending ? 'sorted-descending' : 'sorted-ascending';
        header.addEventListener('click', () => {
          sorting.descending = sorting.column === column.title ? !sorting.descending : false;
          sorting.column = column.title;
          renderTrials();
        });
        return header;
      }));
      const sortColumn = tableColumns.find((column) => column.title === sorting.column) || tableColumns[0];
      const filter = document.getElementById('filter').value.trim().toLowerCase();
      const statusFilter = document.getElementById('status-filter').value;
      const bestTrial = overview && overview.best ? overview.best.trial : null;
      const rows = [];
      const ordered = trials.slice().sort((left, right) => {
        const order = compareValues(cellValue(left, sortColumn), cellValue(right, sortColumn));
        return (sorting.descending ? -order : order) || left.number - right.number;
      });
      for (const trial of ordered) {
        if (statusFilter && trial.status !== statusFilter) continue;
        const texts = tableColumns.map((column) => {
          const value = cellValue(trial, column);
          if (column.kind === 'seconds') return value === null ? '' : value.toFixed(1);
          return readable(value);
        });
        if (filter && !texts.some((text) => text.toLowerCase().includes(filter))) continue;
        const classes = ['trial-' + trial.status];
        if (trial.number === bestTrial) classes.push('best-trial');
        rows.push(element('tr', {class: classes.join(' '), 'data-trial': String(trial.number)},
          ...tableColumns.map((column, index) => {
            const cell = element('td', {}, texts[index]);
            if (column.kind === 'status') cell.className = 'status status-' + trial.status;
            else if (column.kind === 'reason') cell.className = 'reason';
            else if (typeof cellValue(trial, column) === 'number') cell.className = 'number';
            return cell;
          })));
      }
      document.querySelector('#trials tbody').replaceChildren(...rows);
      document.getElementById('shown').textContent =
        rows.length === trials.length ? trials.length + ' trials' : rows.length + ' of ' + trials.length + ' trials shown';
    }

    poll(async () => {
      // A study that does not exist (yet) is looked for in the list until it appears: the browser
      // would log its 404 on every poll.
      const missing = document.getElementById('missing');
      const showMissing = () => {
        missing.hidden = false;
        missing.textContent = 'No study of "' + app + '" here (yet): it appears when its agent connects.';
      };
      if (lookInList) {
        const {studies} = await api('/api/studies');
        if (!studies.some((listed) => listed.app === app)) return showMissing();
        lookInList = false;
      }
      const after = trials.length ? trials[trials.length - 1].number : 0;
      let study;
      let fresh;
      try {
        const asked = prefetched && after === 0 ? prefetched : fetchStudy(base, after);
        prefetched = null;
        [study, fresh] = await asked;
      } catch (failure) {
        if (!(failure instanceof ApiError && failure.status === 404)) throw failure;
        lookInList = true;
        return showMissing();
      }
      missing.hidden = true;
      if (study.trials < trials.length) {   // the study was started over: read it again
        trials.length = 0;
        overviewText = '';
        return;
      }
      trials.push(...fresh.trials);
      const text = JSON.stringify(study);
      if (text === overviewText && fresh.trials.length === 0) {
        return;
      }
      overview = study;
      overviewText = '';   // set once everything is drawn, so a failed drawing is tried again
      const drawingStarted = performance.now();
      renderSummary();
      renderBest();
      renderConvergence();
      renderSettingCharts();
      renderTrials();
      overviewText = text;
      document.body.dataset.trialsShown = String(trials.length);
      // When the page first showed the whole study, in ms since the navigation began (bench/dashboard.py).
      if (!document.body.dataset.firstDrawnMs) {
        document.body.dataset.firstDrawnMs = performance.now().toFixed(1);
        document.body.dataset.firstDrawingMs = (performance.now() - drawingStarted).toFixed(1);
      }
    });
  }

  // --- start ------------------------------------------------------------------------------------

  // The study page lists this script before Chart.js: the study is asked for at once, while the
  // browser still runs Chart.js, and drawn once Chart.js has run.
  const page = document.body.dataset.page;
  if (page === 'studies') {
    studiesPage();
  } else if (page === 'study') {
    const first = fetchStudy(studyAddress().base, 0);
    first.catch(() => {});   // handled where it is awaited; not an unhandled rejection meanwhile
    if (window.Chart) studyPage(first);
    else document.getElementById('chart-script').addEventListener('load', () => studyPage(first));
  }
})();
