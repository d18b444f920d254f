// AppSecret: a credential, generated (random, stored encrypted in state) or given (read by the
// stack with requireSecret). Its value is always a secret Output: never printed, never exported.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

export interface AppSecretArgs {
  /** A value from config (requireSecret). When absent a random one is generated. */
  readonly value?: pulumi.Input<string>;
  /**
   * Length of a generated value.
   * @default 32
   */
  readonly length?: number;
}

export class AppSecret extends pulumi.ComponentResource {
  static readonly TYPE = "appstacks:index:AppSecret";
  public readonly value: pulumi.Output<string>;

  constructor(name: string, args: AppSecretArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    super(AppSecret.TYPE, name, {}, opts);
    if (args.value !== undefined) {
      this.value = pulumi.secret(args.value);
    } else {
      const length = args.length ?? 32;
      if (!Number.isInteger(length) || length < 16 || length > 128) {
        throw new pulumi.ResourceError(`secret ${name}: length ${length} is not allowed: use an integer from 16 to 128`, this);
      }
      // Letters and digits only: the value lands in URLs, config files and shell-free commands.
      const generated = new random.RandomPassword(`${name}-value`, { length, special: false }, { parent: this });
      this.value = pulumi.secret(generated.result);
    }
    this.registerOutputs({});
  }
}
