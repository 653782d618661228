// Slack's documented limits on what an app sends, which TypeScript types cannot
// express: lengths, counts, required plain_text, and message metadata that says
// something. Each limit names the page of Slack's reference it comes from.
//
// Lengths are counted in characters (Unicode code points), as the bot counts them.

// https://docs.slack.dev/reference/block-kit/blocks
// "You can include up to 50 blocks in each message, and 100 blocks in modals or Home tabs."
const MAX_MESSAGE_BLOCKS = 50;
const MAX_VIEW_BLOCKS = 100;

// https://docs.slack.dev/reference/block-kit/composition-objects/text-object (and
// @slack/types PlainTextElement/MrkdwnElement): "The minimum length is 1 and maximum
// length is 3000 characters."
const MIN_TEXT = 1;
const MAX_TEXT = 3000;

// https://docs.slack.dev/reference/block-kit/blocks/section-block
// text: 1 to 3000 characters; block_id: at most 255; fields: at most 10 items of at
// most 2000 characters each.
const MAX_SECTION_TEXT = 3000;
const MAX_SECTION_FIELDS = 10;
const MAX_SECTION_FIELD_TEXT = 2000;
const MAX_BLOCK_ID = 255;

// https://docs.slack.dev/reference/block-kit/blocks/header-block
// text: "a plain_text text object. Maximum length for the text in this field is 150".
const MAX_HEADER_TEXT = 150;

// https://docs.slack.dev/reference/block-kit/blocks/input-block
// label and hint: plain_text, at most 2000 characters each.
const MAX_INPUT_LABEL = 2000;
const MAX_INPUT_HINT = 2000;

// https://docs.slack.dev/reference/block-kit/blocks/actions-block
// "There is a maximum of 25 elements in each action block."
const MAX_ACTIONS_ELEMENTS = 25;

// https://docs.slack.dev/reference/block-kit/blocks/context-block
// elements: "Maximum number of items is 10."
const MAX_CONTEXT_ELEMENTS = 10;

// https://docs.slack.dev/reference/block-kit/block-elements/button-element
// text: plain_text, at most 75; action_id at most 255; value at most 2000; url at most
// 3000; accessibility_label at most 75.
const MAX_BUTTON_TEXT = 75;
const MAX_ACTION_ID = 255;
const MAX_BUTTON_VALUE = 2000;
const MAX_URL = 3000;
const MAX_ACCESSIBILITY_LABEL = 75;

// https://docs.slack.dev/reference/block-kit/composition-objects/option-object
// text at most 75 characters (plain_text in select and overflow menus); value at most
// 150; description plain_text at most 75.
const MAX_OPTION_TEXT = 75;
const MAX_OPTION_VALUE = 150;
const MAX_OPTION_DESCRIPTION = 75;

// https://docs.slack.dev/reference/block-kit/block-elements/select-menu-element
// placeholder: plain_text, at most 150 characters; options: at most 100.
const MAX_PLACEHOLDER = 150;
const MAX_OPTIONS = 100;

// https://docs.slack.dev/reference/block-kit/block-elements/plain-text-input-element
// min_length 0 to 3000, max_length 1 to 3000.
const MAX_INPUT_LENGTH = 3000;

// https://docs.slack.dev/reference/block-kit/composition-objects/confirmation-dialog-object
// title plain_text at most 100; text at most 300; confirm and deny plain_text at most 30.
const MAX_CONFIRM_TITLE = 100;
const MAX_CONFIRM_TEXT = 300;
const MAX_CONFIRM_BUTTON = 30;

// https://docs.slack.dev/reference/views/modal-views
// title, submit and close: plain_text, at most 24 characters; blocks at most 100;
// private_metadata at most 3000; callback_id at most 255.
const MAX_MODAL_TITLE = 24;
const MAX_PRIVATE_METADATA = 3000;
const MAX_CALLBACK_ID = 255;

// https://docs.slack.dev/reference/block-kit/blocks/data-visualization-block (and
// slack-go's DataVisualizationBlock.Validate, v0.35.0): title 1 to 50 characters; chart
// pie, bar, area or line; pie segments 1 to 6, labels 1 to 20 characters, values above
// 0; series 1 to 6, names 1 to 20 characters and unique; each series 1 to 20 points,
// exactly one for every category; categories unique, 1 to 20 characters; x_label and
// y_label at most 50. Slack lists messages and Home tabs as its surfaces, not modals.
const MAX_CHART_TITLE = 50;
const MAX_CHART_SERIES = 6;
const MAX_CHART_POINTS = 20;
const MAX_CHART_LABEL = 20;
const MAX_CHART_AXIS_LABEL = 50;
const CHART_TYPES = new Set(['pie', 'bar', 'area', 'line']);
const CHART_SURFACES = new Set(['message', 'home']);

// https://docs.slack.dev/messaging/message-metadata
// metadata is an event_type (a name for the event) with an event_payload object.

const chars = (s) => [...s].length;
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

class Checker {
  constructor() {
    this.problems = [];
  }

  fail(path, msg) {
    this.problems.push(`${path}: ${msg}`);
  }

  max(path, what, s, limit) {
    if (typeof s === 'string' && chars(s) > limit) {
      this.fail(path, `${what} is ${chars(s)} characters; Slack allows ${limit}`);
    }
  }

  // A text object; plainOnly when Slack requires plain_text there.
  text(path, t, { plainOnly = false, max = MAX_TEXT, what = 'text' } = {}) {
    if (t === undefined) return;
    if (!isObject(t)) {
      this.fail(path, `${what} must be a text object`);
      return;
    }
    if (plainOnly && t.type !== 'plain_text') {
      this.fail(path, `${what} must be plain_text, not ${JSON.stringify(t.type)}`);
    }
    if (typeof t.text !== 'string' || chars(t.text) < MIN_TEXT) {
      this.fail(path, `${what} must have at least ${MIN_TEXT} character`);
      return;
    }
    this.max(path, what, t.text, Math.min(max, MAX_TEXT));
  }

  // blocks checks a blocks array of a surface: 'message', 'home' or 'modal'.
  blocks(path, blocks, limit, surface) {
    if (!Array.isArray(blocks)) return;
    if (blocks.length > limit) {
      this.fail(path, `${blocks.length} blocks; Slack allows ${limit} here`);
    }
    blocks.forEach((b, i) => this.block(`${path}[${i}]`, b, surface));
  }

  block(path, b, surface) {
    if (!isObject(b)) return;
    this.max(path, 'block_id', b.block_id, MAX_BLOCK_ID);
    switch (b.type) {
      case 'data_visualization':
        if (!CHART_SURFACES.has(surface)) this.fail(path, `a data_visualization block in a ${surface}: Slack draws charts in messages and Home tabs`);
        this.chart(path, b);
        break;
      case 'section':
        this.text(`${path}.text`, b.text, { max: MAX_SECTION_TEXT, what: 'section text' });
        if (Array.isArray(b.fields)) {
          if (b.fields.length > MAX_SECTION_FIELDS) {
            this.fail(`${path}.fields`, `${b.fields.length} fields; Slack allows ${MAX_SECTION_FIELDS}`);
          }
          b.fields.forEach((f, i) => this.text(`${path}.fields[${i}]`, f, { max: MAX_SECTION_FIELD_TEXT, what: 'field' }));
        }
        if (b.accessory !== undefined) this.element(`${path}.accessory`, b.accessory);
        break;
      case 'header':
        this.text(`${path}.text`, b.text, { plainOnly: true, max: MAX_HEADER_TEXT, what: 'header text' });
        break;
      case 'input':
        this.text(`${path}.label`, b.label, { plainOnly: true, max: MAX_INPUT_LABEL, what: 'input label' });
        this.text(`${path}.hint`, b.hint, { plainOnly: true, max: MAX_INPUT_HINT, what: 'input hint' });
        if (b.element !== undefined) this.element(`${path}.element`, b.element);
        break;
      case 'actions':
        if (Array.isArray(b.elements)) {
          if (b.elements.length > MAX_ACTIONS_ELEMENTS) {
            this.fail(`${path}.elements`, `${b.elements.length} elements; Slack allows ${MAX_ACTIONS_ELEMENTS}`);
          }
          b.elements.forEach((e, i) => this.element(`${path}.elements[${i}]`, e));
        }
        break;
      case 'context':
        if (Array.isArray(b.elements)) {
          if (b.elements.length > MAX_CONTEXT_ELEMENTS) {
            this.fail(`${path}.elements`, `${b.elements.length} elements; Slack allows ${MAX_CONTEXT_ELEMENTS}`);
          }
          b.elements.forEach((e, i) => {
            if (isObject(e) && (e.type === 'mrkdwn' || e.type === 'plain_text')) this.text(`${path}.elements[${i}]`, e);
          });
        }
        break;
    }
  }

  // A data_visualization block's title and chart.
  chart(path, b) {
    const length = (p, what, s, min, max) => {
      if (typeof s !== 'string' || chars(s) < min) this.fail(p, `${what} must have at least ${min} character`);
      else this.max(p, what, s, max);
    };
    length(`${path}.title`, 'chart title', b.title, 1, MAX_CHART_TITLE);
    const c = b.chart;
    if (!isObject(c) || !CHART_TYPES.has(c.type)) {
      this.fail(`${path}.chart`, `chart must be one of ${[...CHART_TYPES].join(', ')}, not ${JSON.stringify(isObject(c) ? c.type : c)}`);
      return;
    }
    const count = (p, one, many, list, max) => {
      if (!Array.isArray(list) || list.length < 1) this.fail(p, `a ${c.type} chart needs at least 1 ${one}`);
      else if (list.length > max) this.fail(p, `${list.length} ${many}; Slack allows ${max}`);
    };
    if (c.type === 'pie') {
      count(`${path}.chart.segments`, 'segment', 'segments', c.segments, MAX_CHART_SERIES);
      (Array.isArray(c.segments) ? c.segments : []).forEach((s, i) => {
        const p = `${path}.chart.segments[${i}]`;
        length(`${p}.label`, 'segment label', s?.label, 1, MAX_CHART_LABEL);
        if (typeof s?.value !== 'number' || !(s.value > 0)) this.fail(`${p}.value`, `a segment's value must be above 0, not ${JSON.stringify(s?.value)}`);
      });
      return;
    }
    const axis = isObject(c.axis_config) ? c.axis_config : {};
    const cats = Array.isArray(axis.categories) ? axis.categories : [];
    count(`${path}.chart.axis_config.categories`, 'category', 'categories', axis.categories, MAX_CHART_POINTS);
    cats.forEach((cat, i) => length(`${path}.chart.axis_config.categories[${i}]`, 'category', cat, 1, MAX_CHART_LABEL));
    if (new Set(cats).size !== cats.length) this.fail(`${path}.chart.axis_config.categories`, 'categories must be unique');
    this.max(`${path}.chart.axis_config`, 'x_label', axis.x_label, MAX_CHART_AXIS_LABEL);
    this.max(`${path}.chart.axis_config`, 'y_label', axis.y_label, MAX_CHART_AXIS_LABEL);
    count(`${path}.chart.series`, 'series', 'series', c.series, MAX_CHART_SERIES);
    const names = new Set();
    (Array.isArray(c.series) ? c.series : []).forEach((s, i) => {
      const p = `${path}.chart.series[${i}]`;
      length(`${p}.name`, 'series name', s?.name, 1, MAX_CHART_LABEL);
      if (names.has(s?.name)) this.fail(`${p}.name`, `series name ${JSON.stringify(s?.name)} is used twice; names must be unique`);
      names.add(s?.name);
      const data = Array.isArray(s?.data) ? s.data : [];
      if (data.length < 1 || data.length > MAX_CHART_POINTS) {
        this.fail(`${p}.data`, `${data.length} points; Slack allows 1 to ${MAX_CHART_POINTS}`);
      }
      const labels = data.map((d) => d?.label);
      data.forEach((d, j) => {
        if (!cats.includes(d?.label)) this.fail(`${p}.data[${j}].label`, `${JSON.stringify(d?.label)} is not one of the axis categories`);
        if (typeof d?.value !== 'number') this.fail(`${p}.data[${j}].value`, 'a point\'s value must be a number');
      });
      const missing = cats.filter((cat) => labels.filter((l) => l === cat).length !== 1);
      if (missing.length > 0) {
        this.fail(`${p}.data`, `needs exactly one point for each category; not so for ${missing.map((m) => JSON.stringify(m)).join(', ')}`);
      }
    });
  }

  element(path, e) {
    if (!isObject(e)) return;
    this.max(path, 'action_id', e.action_id, MAX_ACTION_ID);
    this.max(path, 'url', e.url, MAX_URL);
    if (e.placeholder !== undefined) {
      this.text(`${path}.placeholder`, e.placeholder, { plainOnly: true, max: MAX_PLACEHOLDER, what: 'placeholder' });
    }
    if (e.confirm !== undefined) this.confirm(`${path}.confirm`, e.confirm);
    const type = String(e.type ?? '');
    if (type === 'button') {
      this.text(`${path}.text`, e.text, { plainOnly: true, max: MAX_BUTTON_TEXT, what: 'button text' });
      this.max(path, 'button value', e.value, MAX_BUTTON_VALUE);
      this.max(path, 'accessibility_label', e.accessibility_label, MAX_ACCESSIBILITY_LABEL);
    }
    if (type.endsWith('_select') || type === 'overflow' || type === 'checkboxes' || type === 'radio_buttons') {
      // Select and overflow menus take plain_text options; checkboxes and radio buttons
      // may use mrkdwn.
      const plainOnly = type.endsWith('_select') || type === 'overflow';
      const options = (list, p) => {
        if (!Array.isArray(list)) return;
        if (list.length > MAX_OPTIONS) this.fail(p, `${list.length} options; Slack allows ${MAX_OPTIONS}`);
        list.forEach((o, i) => this.option(`${p}[${i}]`, o, plainOnly));
      };
      options(e.options, `${path}.options`);
      options(e.initial_options, `${path}.initial_options`);
      if (e.initial_option !== undefined) this.option(`${path}.initial_option`, e.initial_option, plainOnly);
      if (Array.isArray(e.option_groups)) {
        e.option_groups.forEach((g, i) => {
          if (!isObject(g)) return;
          this.text(`${path}.option_groups[${i}].label`, g.label, { plainOnly: true, max: MAX_OPTION_TEXT, what: 'option group label' });
          options(g.options, `${path}.option_groups[${i}].options`);
        });
      }
    }
    if (type === 'plain_text_input') {
      for (const k of ['min_length', 'max_length']) {
        if (typeof e[k] === 'number' && (e[k] < (k === 'max_length' ? 1 : 0) || e[k] > MAX_INPUT_LENGTH)) {
          this.fail(path, `${k} ${e[k]} is outside what Slack accepts (up to ${MAX_INPUT_LENGTH})`);
        }
      }
    }
  }

  option(path, o, plainOnly) {
    if (!isObject(o)) return;
    this.text(`${path}.text`, o.text, { plainOnly, max: MAX_OPTION_TEXT, what: 'option text' });
    this.max(path, 'option value', o.value, MAX_OPTION_VALUE);
    this.text(`${path}.description`, o.description, { plainOnly: true, max: MAX_OPTION_DESCRIPTION, what: 'option description' });
  }

  confirm(path, c) {
    if (!isObject(c)) return;
    this.text(`${path}.title`, c.title, { plainOnly: true, max: MAX_CONFIRM_TITLE, what: 'confirm title' });
    this.text(`${path}.text`, c.text, { max: MAX_CONFIRM_TEXT, what: 'confirm text' });
    this.text(`${path}.confirm`, c.confirm, { plainOnly: true, max: MAX_CONFIRM_BUTTON, what: 'confirm button' });
    this.text(`${path}.deny`, c.deny, { plainOnly: true, max: MAX_CONFIRM_BUTTON, what: 'deny button' });
  }

  // A message: chat.* arguments, a slash command's ack payload or a response_url body.
  message(path, m) {
    if (!isObject(m)) return;
    this.blocks(`${path}.blocks`, m.blocks, MAX_MESSAGE_BLOCKS, 'message');
    if ('metadata' in m) this.metadata(`${path}.metadata`, m.metadata);
  }

  metadata(path, md) {
    if (!isObject(md)) {
      this.fail(path, 'metadata must be an object with event_type and event_payload');
      return;
    }
    if (typeof md.event_type !== 'string' || md.event_type === '') {
      this.fail(path, 'metadata without an event_type: leave metadata out rather than send it empty');
    }
    if (!isObject(md.event_payload)) {
      this.fail(path, 'metadata event_payload must be an object');
    }
  }

  view(path, v) {
    if (!isObject(v)) return;
    this.blocks(`${path}.blocks`, v.blocks, MAX_VIEW_BLOCKS, v.type === 'home' ? 'home' : 'modal');
    this.max(path, 'private_metadata', v.private_metadata, MAX_PRIVATE_METADATA);
    this.max(path, 'callback_id', v.callback_id, MAX_CALLBACK_ID);
    this.max(path, 'external_id', v.external_id, MAX_CALLBACK_ID);
    if (v.type === 'modal') {
      this.text(`${path}.title`, v.title, { plainOnly: true, max: MAX_MODAL_TITLE, what: 'modal title' });
      this.text(`${path}.submit`, v.submit, { plainOnly: true, max: MAX_MODAL_TITLE, what: 'modal submit' });
      this.text(`${path}.close`, v.close, { plainOnly: true, max: MAX_MODAL_TITLE, what: 'modal close' });
    }
  }
}

const messageMethods = new Set(['chat.postMessage', 'chat.postEphemeral', 'chat.update', 'chat.scheduleMessage']);
const viewMethods = new Set(['views.open', 'views.push', 'views.update', 'views.publish']);

// checkLimits returns what in one recorded payload is outside Slack's limits.
export function checkLimits(entry) {
  const c = new Checker();
  const { line, value } = entry;
  switch (line.kind) {
    case 'api':
      if (messageMethods.has(line.method)) c.message('args', value);
      if (viewMethods.has(line.method) && isObject(value)) c.view('args.view', value.view);
      if (line.method === 'files.completeUploadExternal' && isObject(value)) {
        c.blocks('args.blocks', value.blocks, MAX_MESSAGE_BLOCKS, 'message');
      }
      break;
    case 'ack':
      if (line.envelope_type === 'slash_commands') c.message('payload', value);
      if (line.interaction_type === 'view_submission' && isObject(value) && 'view' in value) c.view('payload.view', value.view);
      break;
    case 'response_url':
      c.message('body', value);
      break;
  }
  return c.problems;
}
