// The part of ml-logistic-regression (no bundled types) that train-decide uses.
declare module 'ml-logistic-regression' {
  import type { Matrix } from 'ml-matrix';
  interface TwoClassModel {
    weights: Matrix;
    testScores(features: Matrix): number[];
  }
  export default class LogisticRegression {
    constructor(options?: { numSteps?: number; learningRate?: number });
    classifiers: TwoClassModel[];
    train(features: Matrix, target: Matrix): void;
    predict(features: Matrix): number[];
  }
}
