// Unit tests run on tfjs's pure-JS CPU backend: it is the reference every other backend is checked against.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core registers no gradients by itself; tf.grad (perturbations, training) needs them.
import '@tensorflow/tfjs-core/dist/register_all_gradients';

await tf.setBackend('cpu');
await tf.ready();
