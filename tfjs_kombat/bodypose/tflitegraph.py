"""A .tflite graph rebuilt from TensorFlow ops: Python runs it with TensorFlow, and the TensorFlow.js
converter turns the very same graph into a graph model for the page (webmodels.py), so both sides
compute the same numbers with the runtimes they already have.

BlazePose's graphs use a dozen of TensorFlow Lite's builtin ops; each becomes its TensorFlow twin,
with the weights read from the file (float16 ones made float32, as the DEQUANTIZE op does; sparse
ones made dense, as DENSIFY does). Only what the wanted outputs need is built. A PAD before a
convolution becomes that convolution's explicit padding: the same numbers, and TensorFlow.js's
WASM pad was a sixth of the detector's time.
"""

import math

import numpy as np
import tensorflow as tf
from tensorflow.lite.python import schema_py_generated as schema
from tensorflow.lite.tools import flatbuffer_utils

from tfjs_kombat.errors import UserError, shown

OP_NAMES = {code: name for name, code in vars(schema.BuiltinOperator).items() if not name.startswith("_")}
DTYPES = {
    schema.TensorType.FLOAT32: np.float32,
    schema.TensorType.FLOAT16: np.float16,
    schema.TensorType.INT32: np.int32,
}
ACTIVATIONS = {
    schema.ActivationFunctionType.NONE: tf.identity,
    schema.ActivationFunctionType.RELU: tf.nn.relu,
    schema.ActivationFunctionType.RELU6: tf.nn.relu6,
}
PADDINGS = {schema.Padding.SAME: "SAME", schema.Padding.VALID: "VALID"}
CONSTANT_OPS = {"DEQUANTIZE", "DENSIFY"}  # they only unpack weights: done once, in numpy
CONVOLUTIONS = {"CONV_2D", "DEPTHWISE_CONV_2D"}


def read_graph(path):
    """The file's one subgraph and its model (buffers, op codes)."""
    model = flatbuffer_utils.read_model_from_bytearray(bytearray(path.read_bytes()))
    if len(model.subgraphs) != 1:
        raise UserError(f"{shown(path)}: expected one graph, found {len(model.subgraphs)}")
    return model, model.subgraphs[0]


def op_name(model, op):
    code = model.operatorCodes[op.opcodeIndex]
    return OP_NAMES.get(max(code.builtinCode, code.deprecatedBuiltinCode), "CUSTOM")


def stored_constant(model, tensor):
    """A constant tensor's values as the file stores them (dense, in its own dtype)."""
    data = model.buffers[tensor.buffer].data
    values = np.frombuffer(bytes(data), DTYPES[tensor.type])
    if tensor.sparsity is not None:
        values = densified(values, tensor)
    return values.reshape(tensor.shape)


def densified(values, tensor):
    """A sparse tensor made dense. BlazePose's detector stores its 1x1 kernels row by row in the
    compressed sparse row format: every dimension dense but the last, in plain order."""
    sparsity, shape = tensor.sparsity, [int(n) for n in tensor.shape]
    *dense, last = sparsity.dimMetadata
    plain = list(sparsity.traversalOrder) == list(range(len(shape))) and sparsity.blockMap is None
    if (
        not plain
        or any(d.format != schema.DimensionType.DENSE for d in dense)
        or last.format != schema.DimensionType.SPARSE_CSR
    ):
        raise UserError("a sparse weight in a layout other than row-wise CSR: not supported")
    rows = math.prod(shape[:-1])
    segments, columns = last.arraySegments.values, last.arrayIndices.values
    matrix = np.zeros((rows, shape[-1]), values.dtype)
    matrix[np.repeat(np.arange(rows), np.diff(segments)), columns] = values
    return matrix


class Padded:
    """A PAD not yet applied: the convolution that reads it pads explicitly instead."""

    def __init__(self, tensor, paddings):
        self.tensor, self.paddings = tensor, paddings

    def applied(self):
        return tf.pad(self.tensor, self.paddings)


def needed_ops(model, graph, outputs):
    """The ops the wanted outputs depend on, in the file's (topological) order, and the constants
    they read: weights stored in the file or unpacked by DEQUANTIZE and DENSIFY."""
    producer = {out: op for op in graph.operators for out in op.outputs}

    def constant(index):
        op = producer.get(index)
        if op is None:
            return stored_constant(model, graph.tensors[index])
        unpacked = constant(op.inputs[0])  # DENSIFY's input is stored sparse: already dense here
        return unpacked.astype(np.float32) if op_name(model, op) == "DEQUANTIZE" else unpacked

    constants, wanted, needed = {}, list(outputs), set()
    while wanted:
        index = wanted.pop()
        op = producer.get(index)
        if op is None:
            if index not in graph.inputs and index not in constants:
                constants[index] = constant(index)
        elif op_name(model, op) in CONSTANT_OPS:
            constants[index] = constant(index)
        elif id(op) not in needed:
            needed.add(id(op))
            wanted += [i for i in op.inputs if i >= 0]
    return [op for op in graph.operators if id(op) in needed], constants


def convolution(name, x, weights, bias, options, padding):
    strides = [1, options.strideH, options.strideW, 1]
    dilations = [options.dilationHFactor, options.dilationWFactor]
    if name == "CONV_2D":  # TensorFlow Lite: [out, height, width, in]
        kernel = np.transpose(weights, (1, 2, 3, 0))
        y = tf.nn.conv2d(x, kernel, strides, padding, dilations=dilations)
    else:  # [1, height, width, in * multiplier]
        height, width, channels = weights.shape[1], weights.shape[2], x.shape[-1]
        kernel = weights.reshape(height, width, channels, weights.shape[3] // channels)
        y = tf.nn.depthwise_conv2d(x, kernel, strides, padding, dilations=dilations)
    return activation(options)(y + bias)


def activation(options):
    kind = options.fusedActivationFunction
    if kind not in ACTIVATIONS:
        raise UserError(f"fused activation {kind} is not supported")
    return ACTIVATIONS[kind]


def run_op(name, op, graph, inputs, constants):
    """One op on its inputs (tensors, Padded, or numpy constants); returns a tensor or Padded."""
    options, first = op.builtinOptions, inputs[0]
    if name == "PAD":
        return Padded(first, constants[op.inputs[1]].tolist())
    if name in CONVOLUTIONS:
        padding = PADDINGS[options.padding]
        if isinstance(first, Padded) and padding == "VALID":
            first, padding = first.tensor, first.paddings
        return convolution(name, tensor(first), inputs[1], inputs[2], options, padding)
    tensors = [tensor(value) for value in inputs]
    if name == "ADD":
        return activation(options)(tensors[0] + tensors[1])
    if name == "MAX_POOL_2D":
        window, strides = [options.filterHeight, options.filterWidth], [options.strideH, options.strideW]
        return activation(options)(tf.nn.max_pool2d(tensors[0], window, strides, PADDINGS[options.padding]))
    if name == "RESIZE_BILINEAR":
        return tf.raw_ops.ResizeBilinear(
            images=tensors[0],
            size=constants[op.inputs[1]],
            align_corners=options.alignCorners,
            half_pixel_centers=options.halfPixelCenters,
        )
    if name == "RESHAPE":
        return tf.reshape(tensors[0], [int(n) for n in graph.tensors[op.outputs[0]].shape])
    if name == "CONCATENATION":
        return activation(options)(tf.concat(tensors, options.axis))
    if name == "DEPTH_TO_SPACE":
        return tf.nn.depth_to_space(tensors[0], options.blockSize)
    if name == "LOGISTIC":
        return tf.sigmoid(tensors[0])
    raise UserError(f"the TensorFlow Lite op {name} is not supported")


def tensor(value):
    return value.applied() if isinstance(value, Padded) else value


def rebuilt(path, outputs):
    """(function, input shape): function(image batch) -> the graph's outputs at these positions,
    computed by TensorFlow ops with the file's weights."""
    model, graph = read_graph(path)
    wanted = [graph.outputs[i] for i in outputs]
    ops, constants = needed_ops(model, graph, wanted)
    input_index = graph.inputs[0]

    def function(images):
        values = {input_index: images, **constants}
        for op in ops:
            inputs = [values[i] if i >= 0 else None for i in op.inputs]
            values[op.outputs[0]] = run_op(op_name(model, op), op, graph, inputs, constants)
        return [tensor(values[i]) for i in wanted]

    return function, [int(n) for n in graph.tensors[input_index].shape]
