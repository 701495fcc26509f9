// vega-lite spec -> SVG text, in Node, with no canvas and no browser: vega's headless view
// (`renderer: 'none'`) lays the scene out and serialises it; text widths are estimated.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Renders a chart to a standalone `<svg>`. `idPrefix` keeps the ids of several charts
 * inlined in one HTML page apart (clip paths, gradients are referenced by id).
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix = 'chart'): Promise<string> {
  // Warnings would go to the console of whoever renders (e.g. the CLI's stdout); errors throw anyway.
  const logger = vega.logger(vega.Error);
  const { spec: compiled } = compile(spec, { logger });
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    return prefixIds(await view.toSVG(), idPrefix);
  } finally {
    view.finalize();
  }
}

/** `id="clip1"` and its `url(#clip1)` references become `id="P-clip1"`, `url(#P-clip1)`. */
export function prefixIds(svg: string, prefix: string): string {
  return svg.replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`).replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`).replace(/xlink:href="#([^"]+)"/g, `xlink:href="#${prefix}-$1"`);
}
