/** `torchvision.models`: the classification models, their builders, and `list_models()`. */
export { get_model, get_model_builder, list_models } from './_api';
export { ShuffleNetV2, shufflenet_v2_x0_5, shufflenet_v2_x1_0, shufflenet_v2_x1_5, shufflenet_v2_x2_0 } from './shufflenetv2';
export * as shufflenetv2 from './shufflenetv2';
export { MobileNetV2, mobilenet_v2 } from './mobilenetv2';
export * as mobilenetv2 from './mobilenetv2';
export { MobileNetV3, mobilenet_v3_large, mobilenet_v3_small } from './mobilenetv3';
export * as mobilenetv3 from './mobilenetv3';
export { MNASNet, mnasnet0_5, mnasnet0_75, mnasnet1_0, mnasnet1_3 } from './mnasnet';
export * as mnasnet from './mnasnet';
export {
  EfficientNet,
  efficientnet_b0,
  efficientnet_b1,
  efficientnet_b2,
  efficientnet_b3,
  efficientnet_b4,
  efficientnet_b5,
  efficientnet_b6,
  efficientnet_b7,
  efficientnet_v2_s,
  efficientnet_v2_m,
  efficientnet_v2_l,
} from './efficientnet';
export * as efficientnet from './efficientnet';
export {
  RegNet,
  regnet_y_400mf,
  regnet_y_800mf,
  regnet_y_1_6gf,
  regnet_y_3_2gf,
  regnet_y_8gf,
  regnet_y_16gf,
  regnet_y_32gf,
  regnet_y_128gf,
  regnet_x_400mf,
  regnet_x_800mf,
  regnet_x_1_6gf,
  regnet_x_3_2gf,
  regnet_x_8gf,
  regnet_x_16gf,
  regnet_x_32gf,
} from './regnet';
export * as regnet from './regnet';
export { ConvNeXt, convnext_tiny, convnext_small, convnext_base, convnext_large } from './convnext';
export * as convnext from './convnext';
export { AlexNet, alexnet } from './alexnet';
export { VGG, vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn } from './vgg';
export * as vgg from './vgg';
export {
  ResNet,
  resnet18,
  resnet34,
  resnet50,
  resnet101,
  resnet152,
  resnext50_32x4d,
  resnext101_32x8d,
  resnext101_64x4d,
  wide_resnet50_2,
  wide_resnet101_2,
} from './resnet';
export * as resnet from './resnet';
export { SqueezeNet, squeezenet1_0, squeezenet1_1 } from './squeezenet';
export * as squeezenet from './squeezenet';
export { DenseNet, densenet121, densenet161, densenet169, densenet201 } from './densenet';
export * as densenet from './densenet';
export { Inception3, InceptionOutputs, _InceptionOutputs, inception_v3 } from './inception';
export * as inception from './inception';
export { GoogLeNet, GoogLeNetOutputs, _GoogLeNetOutputs, googlenet } from './googlenet';
