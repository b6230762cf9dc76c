// One renderer per format: Report → string. Pure.
import type { Report, ReportFormat } from '../types.ts';
import { renderJson } from './json.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import { renderSarif } from './sarif.ts';
import { renderText } from './text.ts';

export interface RenderOptions {
  /** text only: ANSI colour. */
  color?: boolean;
  /** sarif only: a repository file to anchor results to (SarifOptions.artifactUri). */
  sarifArtifact?: string;
}

export function render(r: Report, format: ReportFormat, opts: RenderOptions = {}): string {
  switch (format) {
    case 'text':
      return renderText(r, { color: opts.color === true });
    case 'markdown':
      return renderMarkdown(r);
    case 'json':
      return renderJson(r);
    case 'sarif':
      return renderSarif(r, { artifactUri: opts.sarifArtifact });
    case 'junit':
      return renderJunit(r);
  }
}

export { renderText, renderMarkdown, renderJson, renderSarif, renderJunit };
export { githubAnnotations } from './github.ts';
export { mermaidDiagram, mermaidLabel } from './mermaid.ts';
