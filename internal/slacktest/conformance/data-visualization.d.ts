// Slack's data visualization block, which @slack/types 3.2.0 (the newest on npm) does
// not know yet. Written from Slack's reference,
// https://docs.slack.dev/reference/block-kit/blocks/data-visualization-block, and
// slack-go's DataVisualizationBlock (v0.35.0, block_data_visualization.go). What types
// cannot say (lengths, counts, one point per category, surfaces) is in limits.mjs.
//
// Remove this file, and its uses in check.mjs, once @slack/types declares the block.

import type { Block } from '@slack/types';

/** A labelled slice of a pie chart. */
export interface DataVisualizationSegment {
  /** Shown in the legend and on hover; at most 20 characters. */
  label: string;
  /** The slice's weight; greater than 0. */
  value: number;
}

/** A point of a bar, area or line chart. */
export interface DataVisualizationDataPoint {
  /** One of the chart's axis_config.categories; at most 20 characters. */
  label: string;
  /** The y-axis value; may be negative. */
  value: number;
}

/** A named series: exactly one point for each category, 1 to 20 points. */
export interface DataVisualizationDataSeries {
  /** The legend's name for it, unique in the chart; at most 20 characters. */
  name: string;
  data: DataVisualizationDataPoint[];
}

/** The x-axis: its categories, left to right, and the axes' titles. */
export interface DataVisualizationAxisConfig {
  /** Unique, at most 20 characters each. */
  categories: string[];
  /** At most 50 characters. */
  x_label?: string;
  /** At most 50 characters. */
  y_label?: string;
}

export interface DataVisualizationPieChart {
  type: 'pie';
  /** 1 to 6 segments. */
  segments: DataVisualizationSegment[];
}

interface DataVisualizationSeriesChart<T extends 'bar' | 'area' | 'line'> {
  type: T;
  /** 1 to 6 series. */
  series: DataVisualizationDataSeries[];
  axis_config: DataVisualizationAxisConfig;
}

export type DataVisualizationBarChart = DataVisualizationSeriesChart<'bar'>;
export type DataVisualizationAreaChart = DataVisualizationSeriesChart<'area'>;
export type DataVisualizationLineChart = DataVisualizationSeriesChart<'line'>;

export type DataVisualizationChart =
  | DataVisualizationPieChart
  | DataVisualizationBarChart
  | DataVisualizationAreaChart
  | DataVisualizationLineChart;

/** A chart, in messages and Home tabs. */
export interface DataVisualizationBlock extends Block {
  type: 'data_visualization';
  /** Shown above the chart; 1 to 50 characters. */
  title: string;
  chart: DataVisualizationChart;
}
