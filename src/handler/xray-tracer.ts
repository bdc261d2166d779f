// The refresh function's second entry point (template.yaml's EntryPoints): Powertools Tracer
// with the X-Ray SDK as a file of its own beside the handler's, which src/handler/tracing.ts
// loads only where tracing is on. In the handler's file it was a fifth of what every cold
// start parsed (docs/design/tick-speed.md, "Fourth pass").
export { Tracer } from '@aws-lambda-powertools/tracer';
