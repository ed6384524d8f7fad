// Run a converted graph model in TensorFlow.js itself (Node, pure-JS CPU backend), for
// tests/graph_model.py: `node tests/graph_model.mjs WEB_ROOT MODEL_DIR INPUT_JSON` prints the
// model's outputs for the batch in INPUT_JSON ({"x": nested array}) as JSON.
// TensorFlow.js comes from WEB_ROOT/node_modules, the copy the pages are built from (make web).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [webRoot, modelDir, inputPath] = process.argv.slice(2);
const tf = createRequire(join(webRoot, 'package.json'))('@tensorflow/tfjs');

/** model.json and its shards from disk, as tf.loadGraphModel would fetch them. */
const fromFiles = {
  load: async () => {
    const manifest = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));
    const groups = manifest.weightsManifest;
    const data = Buffer.concat(groups.flatMap((g) => g.paths.map((p) => readFileSync(join(modelDir, p)))));
    return {
      ...manifest,
      weightSpecs: groups.flatMap((g) => g.weights),
      weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
    };
  },
};

console.warn = () => {}; // tfjs's advice to install tfjs-node, on stderr's neighbour
await tf.setBackend('cpu');
const model = await tf.loadGraphModel(fromFiles);
const { x } = JSON.parse(readFileSync(inputPath, 'utf8'));
const output = model.predict(tf.tensor(x)); // predict(): the synchronous path the pages use
process.stdout.write(JSON.stringify(output.arraySync()));
