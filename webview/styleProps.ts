import { noChange } from 'lit';
import type { ElementPart } from 'lit';
import { Directive, PartType, directive } from 'lit/directive.js';
import type { DirectiveParameters, PartInfo } from 'lit/directive.js';

/** CSS properties by name (`width`, `--x`) to their values. */
export type StyleProps = Readonly<Record<string, string>>;

/**
 * Sets inline styles through the CSSOM (`element.style.setProperty`) instead of a `style` attribute, so the page's
 * CSP needs no 'unsafe-inline' for styles (Lit's styleMap writes the attribute on first render, which CSP blocks).
 */
class StylePropsDirective extends Directive {
	private previous: StyleProps = {};

	constructor(info: PartInfo) {
		super(info);
		if (info.type !== PartType.ELEMENT)
			throw new Error('styleProps goes in element position: <div ${styleProps(...)}>');
	}

	render(_props: StyleProps): typeof noChange {
		return noChange;
	}

	override update(part: ElementPart, [props]: DirectiveParameters<this>): typeof noChange {
		const style = (part.element as HTMLElement).style;
		for (const name of Object.keys(this.previous)) if (!(name in props)) style.removeProperty(name);
		for (const [name, value] of Object.entries(props))
			if (this.previous[name] !== value) style.setProperty(name, value);
		this.previous = props;
		return noChange;
	}
}

/** Inline styles applied through the CSSOM, safe under a CSP without 'unsafe-inline'; use in element position. */
export const styleProps = directive(StylePropsDirective);
