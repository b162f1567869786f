// Unit tests run on tfjs's pure-JS CPU backend: it is the reference every other backend is checked against.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

await tf.setBackend('cpu');
await tf.ready();
