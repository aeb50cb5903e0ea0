/**
 * The part of onnxruntime-node's API the bench uses. The package is optional (installed by hand
 * with `npm install --no-save --ignore-scripts onnxruntime-node`), and CI type-checks the bench
 * without it, so its types are declared here.
 */
declare module 'onnxruntime-node' {
  export class Tensor {
    constructor(type: 'float32', data: Float32Array, dims: readonly number[]);
    readonly data: Float32Array;
  }
  export class InferenceSession {
    static create(path: string, options: { intraOpNumThreads: number; interOpNumThreads: number }): Promise<InferenceSession>;
    run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
    release(): Promise<void>;
  }
}
