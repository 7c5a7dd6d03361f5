<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>ArchitectureRows</name>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <source>%1 B</source>
        <translation>%1 Mrd.</translation>
    </message>
    <message>
        <source>%1 M</source>
        <translation>%1 Mio.</translation>
    </message>
    <message>
        <source>learned</source>
        <translation>gelernt</translation>
    </message>
    <message>
        <source>rotary</source>
        <translation>rotierend (RoPE)</translation>
    </message>
    <message>
        <source> (partial)</source>
        <translation> (teilweise)</translation>
    </message>
    <message>
        <source>%1 layers</source>
        <translation>%1 Schichten</translation>
    </message>
    <message>
        <source>hidden %1</source>
        <translation>Breite %1</translation>
    </message>
    <message>
        <source>%1 heads (%2 key/value)</source>
        <translation>%1 Köpfe (%2 Key/Value)</translation>
    </message>
    <message>
        <source>%1 heads</source>
        <translation>%1 Köpfe</translation>
    </message>
    <message>
        <source>MLP %1</source>
        <translation>MLP %1</translation>
    </message>
    <message>
        <source>vocabulary %1</source>
        <translation>Vokabular %1</translation>
    </message>
    <message>
        <source>%1 parameters</source>
        <translation>%1 Parameter</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>Form</translation>
    </message>
    <message>
        <source>Family</source>
        <translation>Familie</translation>
    </message>
    <message>
        <source>The model family (config.json model_type). It fixes the block&apos;s details; models of different families do not share a basis, so a vector has to be mapped, not copied.</source>
        <translation>Die Modellfamilie (model_type in config.json). Sie legt die Einzelheiten des Blocks fest; Modelle verschiedener Familien teilen keine gemeinsame Basis, daher muss ein Vektor abgebildet und nicht einfach kopiert werden.</translation>
    </message>
    <message>
        <source>Hidden size</source>
        <translation>Verborgene Dimension</translation>
    </message>
    <message>
        <source>dimensions</source>
        <translation>Dimensionen</translation>
    </message>
    <message>
        <source>Width of the residual stream, the space a steering vector lives in. When the widths differ the vector cannot be added as it is; it needs a projection learned from paired activations (truncating or zero-padding is only a baseline).</source>
        <translation>Breite des Residualstroms, also des Raums, in dem ein Steuerungsvektor liegt. Unterscheiden sich die Breiten, kann der Vektor nicht unverändert addiert werden; er braucht eine aus gepaarten Aktivierungen gelernte Projektion (Abschneiden oder Auffüllen mit Nullen ist nur eine Vergleichsbasis).</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>Schichten</translation>
    </message>
    <message>
        <source>blocks</source>
        <translation>Blöcke</translation>
    </message>
    <message>
        <source>Depth of the stack. Layer i of one model does not do the work of layer i of the other: choose the injection layer by relative depth or, better, by measured similarity.</source>
        <translation>Tiefe des Stapels. Schicht i des einen Modells leistet nicht dasselbe wie Schicht i des anderen: Wählen Sie die Injektionsschicht nach relativer Tiefe oder, besser, nach gemessener Ähnlichkeit.</translation>
    </message>
    <message>
        <source>MLP width</source>
        <translation>MLP-Breite</translation>
    </message>
    <message>
        <source>Width of the feed-forward layer. It bounds what an MLP output can express, which matters for vectors taken from MLP outputs.</source>
        <translation>Breite der Feed-Forward-Schicht. Sie begrenzt, was eine MLP-Ausgabe ausdrücken kann; das ist für Vektoren aus MLP-Ausgaben wichtig.</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>Number of distinct weights. Larger models tend to spread a concept over more directions, so a vector from a small model may cover only part of it.</source>
        <translation>Anzahl verschiedener Gewichte. Größere Modelle verteilen ein Konzept meist auf mehr Richtungen, daher erfasst ein Vektor aus einem kleinen Modell womöglich nur einen Teil davon.</translation>
    </message>
    <message>
        <source>Attention</source>
        <translation>Attention</translation>
    </message>
    <message>
        <source>Attention kind</source>
        <translation>Attention-Art</translation>
    </message>
    <message>
        <source>Whether every head has its own keys and values (MHA) or groups share them (GQA, MQA). It changes what attention writes into the residual stream, so attention-output vectors transfer less directly than residual-stream vectors.</source>
        <translation>Ob jeder Kopf eigene Keys und Values hat (MHA) oder Gruppen sie teilen (GQA, MQA). Das ändert, was die Attention in den Residualstrom schreibt; Vektoren aus der Attention-Ausgabe lassen sich daher weniger direkt übertragen als Vektoren aus dem Residualstrom.</translation>
    </message>
    <message>
        <source>Attention heads</source>
        <translation>Attention-Köpfe</translation>
    </message>
    <message>
        <source>heads</source>
        <translation>Köpfe</translation>
    </message>
    <message>
        <source>Number of query heads. With the head size it sets how attention splits the residual stream.</source>
        <translation>Anzahl der Query-Köpfe. Zusammen mit der Kopfgröße bestimmt sie, wie die Attention den Residualstrom aufteilt.</translation>
    </message>
    <message>
        <source>Key/value heads</source>
        <translation>Key/Value-Köpfe</translation>
    </message>
    <message>
        <source>Number of key/value heads; fewer than the query heads means grouped-query attention.</source>
        <translation>Anzahl der Key/Value-Köpfe; weniger als Query-Köpfe bedeutet Grouped-Query-Attention.</translation>
    </message>
    <message>
        <source>Head size</source>
        <translation>Kopfgröße</translation>
    </message>
    <message>
        <source>Width of one attention head.</source>
        <translation>Breite eines Attention-Kopfes.</translation>
    </message>
    <message>
        <source>Sliding window</source>
        <translation>Gleitendes Fenster</translation>
    </message>
    <message>
        <source>tokens</source>
        <translation>Tokens</translation>
    </message>
    <message>
        <source>Local attention span, if any. Beyond it, steering added to early prompt tokens no longer reaches later positions.</source>
        <translation>Lokale Attention-Reichweite, falls vorhanden. Darüber hinaus erreicht eine Steuerung, die zu frühen Prompt-Tokens addiert wurde, spätere Positionen nicht mehr.</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keines</translation>
    </message>
    <message>
        <source>Normalisation and MLP</source>
        <translation>Normalisierung und MLP</translation>
    </message>
    <message>
        <source>Normalisation</source>
        <translation>Normalisierung</translation>
    </message>
    <message>
        <source>RMSNorm and LayerNorm rescale activations differently (LayerNorm also removes the mean). A vector with the right direction can have the wrong size after transfer, so its norm should be matched to the target&apos;s typical activation norm.</source>
        <translation>RMSNorm und LayerNorm skalieren Aktivierungen unterschiedlich (LayerNorm entfernt zusätzlich den Mittelwert). Ein Vektor mit der richtigen Richtung kann nach der Übertragung die falsche Größe haben; seine Norm sollte daher an die typische Aktivierungsnorm des Zielmodells angepasst werden.</translation>
    </message>
    <message>
        <source>Normalisation epsilon</source>
        <translation>Epsilon der Normalisierung</translation>
    </message>
    <message>
        <source>Stabiliser added inside the normalisation.</source>
        <translation>Stabilisierungskonstante innerhalb der Normalisierung.</translation>
    </message>
    <message>
        <source>MLP activation</source>
        <translation>MLP-Aktivierung</translation>
    </message>
    <message>
        <source>Non-linearity of the feed-forward layer. Different activations respond differently to the same shift in their input.</source>
        <translation>Nichtlinearität der Feed-Forward-Schicht. Verschiedene Aktivierungsfunktionen reagieren unterschiedlich auf dieselbe Verschiebung ihrer Eingabe.</translation>
    </message>
    <message>
        <source>Gated MLP</source>
        <translation>Gated MLP</translation>
    </message>
    <message>
        <source>Whether the MLP multiplies a gate with its up-projection (SwiGLU/GeGLU) or is a plain two-layer network. It changes how MLP outputs depend on the residual stream.</source>
        <translation>Ob das MLP ein Gate mit seiner Up-Projektion multipliziert (SwiGLU/GeGLU) oder ein einfaches zweischichtiges Netz ist. Das ändert, wie die MLP-Ausgaben vom Residualstrom abhängen.</translation>
    </message>
    <message>
        <source>Residual layout</source>
        <translation>Residual-Anordnung</translation>
    </message>
    <message>
        <source>Sequential blocks add attention, then the MLP; parallel blocks compute both from the same input. A vector added to the residual stream reaches the MLP differently in the two layouts.</source>
        <translation>Sequenzielle Blöcke addieren erst die Attention, dann das MLP; parallele Blöcke berechnen beide aus derselben Eingabe. Ein zum Residualstrom addierter Vektor erreicht das MLP in beiden Anordnungen auf verschiedene Weise.</translation>
    </message>
    <message>
        <source>parallel</source>
        <translation>parallel</translation>
    </message>
    <message>
        <source>sequential</source>
        <translation>sequenziell</translation>
    </message>
    <message>
        <source>Positions</source>
        <translation>Positionen</translation>
    </message>
    <message>
        <source>Position encoding</source>
        <translation>Positionskodierung</translation>
    </message>
    <message>
        <source>Rotary positions act inside attention; learned positions are added to the embeddings, so they are part of the residual stream a vector is added to.</source>
        <translation>Rotierende Positionen wirken innerhalb der Attention; gelernte Positionen werden zu den Embeddings addiert und sind damit Teil des Residualstroms, zu dem ein Vektor addiert wird.</translation>
    </message>
    <message>
        <source>Rotary base θ</source>
        <translation>Rotationsbasis θ</translation>
    </message>
    <message>
        <source>Base of the rotary frequencies (only for rotary positions).</source>
        <translation>Basis der Rotationsfrequenzen (nur bei rotierenden Positionen).</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>Context length</source>
        <translation>Kontextlänge</translation>
    </message>
    <message>
        <source>Longest input the model was configured for. Prompts and generated text must fit in both models.</source>
        <translation>Längste Eingabe, für die das Modell konfiguriert ist. Prompts und erzeugter Text müssen in beide Modelle passen.</translation>
    </message>
    <message>
        <source>Vocabulary and weights</source>
        <translation>Vokabular und Gewichte</translation>
    </message>
    <message>
        <source>Vocabulary size</source>
        <translation>Vokabulargröße</translation>
    </message>
    <message>
        <source>Number of token embeddings. Different vocabularies split the same text differently, so prompts and pairs are aligned by characters rather than by token position.</source>
        <translation>Anzahl der Token-Embeddings. Verschiedene Vokabulare zerlegen denselben Text unterschiedlich; Prompts und Paare werden daher über Zeichen statt über Token-Positionen einander zugeordnet.</translation>
    </message>
    <message>
        <source>Tokenizer</source>
        <translation>Tokenizer</translation>
    </message>
    <message>
        <source>How text becomes tokens (byte-level BPE, SentencePiece...). Needed to run the model on text; without one only token ids can be used.</source>
        <translation>Wie Text in Tokens zerlegt wird (Byte-Level-BPE, SentencePiece …). Nötig, um das Modell auf Text anzuwenden; ohne Tokenizer lassen sich nur Token-IDs verwenden.</translation>
    </message>
    <message>
        <source>none found</source>
        <translation>keiner gefunden</translation>
    </message>
    <message>
        <source>Tied embeddings</source>
        <translation>Gekoppelte Embeddings</translation>
    </message>
    <message>
        <source>Whether the output head reuses the input embeddings. With tied embeddings the residual stream&apos;s final directions are token directions, which helps reading a vector as words.</source>
        <translation>Ob der Ausgabekopf die Eingabe-Embeddings wiederverwendet. Bei gekoppelten Embeddings sind die Endrichtungen des Residualstroms Token-Richtungen; das hilft, einen Vektor als Wörter zu lesen.</translation>
    </message>
    <message>
        <source>Weights stored as</source>
        <translation>Gespeichert als</translation>
    </message>
    <message>
        <source>Number format of the weight files; SteerBridge computes in 32-bit floats whatever the storage.</source>
        <translation>Zahlenformat der Gewichtsdateien; SteerBridge rechnet unabhängig davon mit 32-Bit-Gleitkommazahlen.</translation>
    </message>
    <message>
        <source>MiB</source>
        <translation>MiB</translation>
    </message>
    <message>
        <source>Query heads per key/value head</source>
        <translation>Query-Köpfe je Key/Value-Kopf</translation>
    </message>
    <message>
        <source>How many query heads share one key/value head (1 for MHA).</source>
        <translation>Wie viele Query-Köpfe sich einen Key/Value-Kopf teilen (1 bei MHA).</translation>
    </message>
    <message>
        <source>%1 (every other layer)</source>
        <translation>%1 (jede zweite Schicht)</translation>
    </message>
    <message>
        <source>Logit soft-capping</source>
        <translation>Logit-Soft-Capping</translation>
    </message>
    <message>
        <source>Attention and output logits squashed by tanh (gemma 2). Capped logits respond less to large shifts, so a vector&apos;s effect saturates sooner.</source>
        <translation>Attention- und Ausgabelogits werden mit tanh gestaucht (Gemma 2). Begrenzte Logits reagieren weniger auf große Verschiebungen, die Wirkung eines Vektors sättigt früher.</translation>
    </message>
    <message>
        <source>attention %1, output %2</source>
        <translation>Attention %1, Ausgabe %2</translation>
    </message>
    <message>
        <source>Norms after attention and MLP</source>
        <translation>Normen nach Attention und MLP</translation>
    </message>
    <message>
        <source>Extra normalisations on the block&apos;s outputs (gemma 2). They rescale what attention and the MLP add to the residual stream.</source>
        <translation>Zusätzliche Normalisierungen der Blockausgaben (Gemma 2). Sie skalieren, was Attention und MLP zum Residualstrom addieren.</translation>
    </message>
    <message>
        <source>Rotary scaling</source>
        <translation>Rotary-Skalierung</translation>
    </message>
    <message>
        <source>How the rotary frequencies are stretched for long contexts (none, linear, dynamic, llama3, longrope).</source>
        <translation>Wie die Rotationsfrequenzen für lange Kontexte gestreckt werden (keine, linear, dynamisch, llama3, longrope).</translation>
    </message>
    <message>
        <source>%1 × %2</source>
        <translation>%1 × %2</translation>
    </message>
    <message>
        <source>Special tokens</source>
        <translation>Spezielle Token</translation>
    </message>
    <message>
        <source>Markers such as beginning and end of text. Activations at these positions are not about the text, so extraction skips them.</source>
        <translation>Markierungen wie Textanfang und -ende. Aktivierungen an diesen Positionen handeln nicht vom Text, daher überspringt die Extraktion sie.</translation>
    </message>
    <message>
        <source>Embedding scale</source>
        <translation>Einbettungsskala</translation>
    </message>
    <message>
        <source>Factor the embeddings are multiplied by (√hidden for gemma). It sets the size of the residual stream a vector is added to.</source>
        <translation>Faktor, mit dem die Einbettungen multipliziert werden (√Breite bei Gemma). Er bestimmt die Größe des Residualstroms, zu dem ein Vektor addiert wird.</translation>
    </message>
    <message>
        <source>Weight files</source>
        <translation>Gewichtsdateien</translation>
    </message>
    <message>
        <source>Size of the stored weights (estimated from the configuration when they were not read).</source>
        <translation>Größe der gespeicherten Gewichte (aus der Konfiguration geschätzt, wenn sie nicht gelesen wurden).</translation>
    </message>
    <message>
        <source>Tokenizers on the probe text</source>
        <translation>Tokenizer auf dem Probetext</translation>
    </message>
    <message>
        <source>Tokens for the probe text</source>
        <translation>Token für den Probetext</translation>
    </message>
    <message>
        <source>How many tokens each tokenizer needs for the same text. More tokens per word means activations are spread over more positions.</source>
        <translation>Wie viele Token jeder Tokenizer für denselben Text braucht. Mehr Token je Wort verteilen die Aktivierungen auf mehr Positionen.</translation>
    </message>
    <message>
        <source>Distinct tokens (normalised)</source>
        <translation>Verschiedene Token (normalisiert)</translation>
    </message>
    <message>
        <source>Vocabulary after writing word markers and byte tokens the same way, the basis of the overlap below.</source>
        <translation>Vokabular nach einheitlicher Schreibung von Wortmarken und Byte-Token, Grundlage der Überlappung unten.</translation>
    </message>
    <message>
        <source>%1 % (%2 shared)</source>
        <translation>%1 % (%2 gemeinsam)</translation>
    </message>
    <message>
        <source>Vocabulary overlap</source>
        <translation>Vokabularüberlappung</translation>
    </message>
    <message>
        <source>%</source>
        <translation>%</translation>
    </message>
    <message>
        <source>Share of the two normalised vocabularies that is common (Jaccard). Low overlap means the same word is cut into different pieces, so positions are matched by characters.</source>
        <translation>Gemeinsamer Anteil der beiden normalisierten Vokabulare (Jaccard). Geringe Überlappung heißt, dasselbe Wort wird anders zerlegt; Positionen werden daher über Zeichen zugeordnet.</translation>
    </message>
    <message>
        <source>Token boundaries in common</source>
        <translation>Gemeinsame Tokengrenzen</translation>
    </message>
    <message>
        <source>Share of token ends on the probe text that both tokenizers place at the same character. Activations are compared at these common positions.</source>
        <translation>Anteil der Tokenenden im Probetext, die beide Tokenizer an dasselbe Zeichen setzen. Aktivierungen werden an diesen gemeinsamen Positionen verglichen.</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>Words ending on a common boundary</source>
        <translation>Wörter, die an einer gemeinsamen Grenze enden</translation>
    </message>
    <message>
        <source>words</source>
        <translation>Wörter</translation>
    </message>
    <message>
        <source>Words of the probe text whose last character ends a token in both models: the positions the layer similarity is measured at.</source>
        <translation>Wörter des Probetexts, deren letztes Zeichen in beiden Modellen ein Token beendet: die Positionen, an denen die Schichtähnlichkeit gemessen wird.</translation>
    </message>
</context>
<context>
    <name>PlotExport</name>
    <message>
        <source>Cannot export to %1: the file name must end in .png, .pdf or .svg.</source>
        <translation>Export nach %1 nicht möglich: Der Dateiname muss auf .png, .pdf oder .svg enden.</translation>
    </message>
    <message>
        <source>Cannot export to %1: the view has no size yet.</source>
        <translation>Export nach %1 nicht möglich: Die Ansicht hat noch keine Größe.</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>Cannot export to %1: drawing the figure failed.</source>
        <translation>Export nach %1 nicht möglich: Das Zeichnen der Abbildung ist fehlgeschlagen.</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>PNG-Bild (*.png)</translation>
    </message>
    <message>
        <source>PDF document (*.pdf)</source>
        <translation>PDF-Dokument (*.pdf)</translation>
    </message>
    <message>
        <source>SVG drawing (*.svg)</source>
        <translation>SVG-Zeichnung (*.svg)</translation>
    </message>
    <message>
        <source>Export Figure</source>
        <translation>Abbildung exportieren</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Export fehlgeschlagen</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>Slow matrix library</source>
        <translation>Langsame Matrixbibliothek</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Abgebrochen.</translation>
    </message>
    <message>
        <source>Out of memory.</source>
        <translation>Nicht genug Arbeitsspeicher.</translation>
    </message>
    <message>
        <source>Unknown error.</source>
        <translation>Unbekannter Fehler.</translation>
    </message>
</context>
<context>
    <name>Report</name>
    <message>
        <source>Generated by SteerBridge %1 on %2</source>
        <translation>Erstellt mit SteerBridge %1 am %2</translation>
    </message>
    <message>
        <source>Figure %1</source>
        <translation>Abbildung %1</translation>
    </message>
    <message>
        <source>Cannot write the report %1: the file name must end in .html or .pdf.</source>
        <translation>Der Bericht %1 kann nicht geschrieben werden: Der Dateiname muss auf .html oder .pdf enden.</translation>
    </message>
    <message>
        <source>Cannot write the report %1: %2</source>
        <translation>Der Bericht %1 kann nicht geschrieben werden: %2</translation>
    </message>
</context>
<context>
    <name>sb::AdapterTrainingJob</name>
    <message>
        <source>training step %1</source>
        <translation>Trainingsschritt %1</translation>
    </message>
</context>
<context>
    <name>sb::AdapterTrainingPanel</name>
    <message>
        <source>Linear (ridge, closed form)</source>
        <translation>Linear (Ridge, geschlossene Form)</translation>
    </message>
    <message>
        <source>Linear (trained from a random start)</source>
        <translation>Linear (von Zufallsstart trainiert)</translation>
    </message>
    <message>
        <source>Low rank</source>
        <translation>Niedriger Rang</translation>
    </message>
    <message>
        <source>Residual (linear + small MLP)</source>
        <translation>Residual (linear + kleines MLP)</translation>
    </message>
    <message>
        <source>Multi-scale</source>
        <translation>Mehrskalig</translation>
    </message>
    <message>
        <source>Architecture-aware</source>
        <translation>Architekturbewusst</translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>k. A.</translation>
    </message>
    <message>
        <source>Adapter</source>
        <translation>Adapter</translation>
    </message>
    <message>
        <source>&amp;Kind:</source>
        <translation>&amp;Art:</translation>
    </message>
    <message>
        <source>How the source&apos;s activations are mapped into the target&apos;s space. Every kind is first fitted in closed form on paired activations (linear_sgd starts from random weights) and then fine-tuned.</source>
        <translation>Wie die Aktivierungen der Quelle in den Raum des Ziels abgebildet werden. Jede Art wird zuerst in geschlossener Form an gepaarten Aktivierungen angepasst (linear_sgd beginnt mit zufälligen Gewichten) und dann nachtrainiert.</translation>
    </message>
    <message>
        <source>&amp;Steps:</source>
        <translation>&amp;Schritte:</translation>
    </message>
    <message>
        <source>Optimisation steps of the fine-tuning (0: the closed-form fit only).</source>
        <translation>Optimierungsschritte des Nachtrainings (0: nur die Anpassung in geschlossener Form).</translation>
    </message>
    <message>
        <source>&amp;Learning rate:</source>
        <translation>&amp;Lernrate:</translation>
    </message>
    <message>
        <source>Peak learning rate (linear warm-up, then cosine decay).</source>
        <translation>Höchste Lernrate (lineares Aufwärmen, dann Kosinus-Abfall).</translation>
    </message>
    <message>
        <source>&amp;Mapping weight:</source>
        <translation>&amp;Gewicht Abbildung:</translation>
    </message>
    <message>
        <source>Weight of the mapping loss: adapted source activations against the target&apos;s at the same text positions.</source>
        <translation>Gewicht des Abbildungsverlusts: angepasste Aktivierungen der Quelle gegen die des Ziels an denselben Textpositionen.</translation>
    </message>
    <message>
        <source>&amp;Effect weight:</source>
        <translation>Gewicht &amp;Wirkung:</translation>
    </message>
    <message>
        <source>Weight of effect preservation: the adapted vector should shift the target&apos;s preference like its own vector.</source>
        <translation>Gewicht der Wirkungserhaltung: Der angepasste Vektor soll die Präferenz des Ziels verschieben wie dessen eigener Vektor.</translation>
    </message>
    <message>
        <source>C&amp;onsistency weight:</source>
        <translation>Gewicht &amp;Konsistenz:</translation>
    </message>
    <message>
        <source>Weight of consistency: the adapter should keep the geometry of the source&apos;s activations.</source>
        <translation>Gewicht der Konsistenz: Der Adapter soll die Geometrie der Aktivierungen der Quelle erhalten.</translation>
    </message>
    <message>
        <source>&amp;Validate every:</source>
        <translation>&amp;Validieren alle:</translation>
    </message>
    <message>
        <source>Steps between validations on held-out activation rows (the dashed curves).</source>
        <translation>Schritte zwischen Validierungen auf zurückgehaltenen Aktivierungszeilen (die gestrichelten Kurven).</translation>
    </message>
    <message>
        <source>&amp;Patience:</source>
        <translation>&amp;Geduld:</translation>
    </message>
    <message>
        <source>Validations without improvement before training stops early; the best parameters are kept.</source>
        <translation>Validierungen ohne Verbesserung, bevor das Training vorzeitig endet; die besten Parameter bleiben erhalten.</translation>
    </message>
    <message>
        <source>S&amp;eed:</source>
        <translation>S&amp;tartwert:</translation>
    </message>
    <message>
        <source>Seed of the initialisation and the batches.</source>
        <translation>Startwert der Initialisierung und der Stapel.</translation>
    </message>
    <message>
        <source>all</source>
        <translation>alle</translation>
    </message>
    <message>
        <source>P&amp;robe sentences:</source>
        <translation>&amp;Prüfsätze:</translation>
    </message>
    <message>
        <source>Sentences of the bundled probe corpus read by both models for the paired activations (fewer: faster).</source>
        <translation>Sätze des mitgelieferten Prüfkorpus, die beide Modelle für die gepaarten Aktivierungen lesen (weniger: schneller).</translation>
    </message>
    <message>
        <source>&amp;Train</source>
        <translation>&amp;Trainieren</translation>
    </message>
    <message>
        <source>Fit and fine-tune the adapter on the loaded models and the dataset&apos;s train part; every run is added to the plot.</source>
        <translation>Den Adapter an den geladenen Modellen und dem Trainingsteil des Datensatzes anpassen und nachtrainieren; jeder Lauf kommt in das Diagramm.</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>&amp;Abbrechen</translation>
    </message>
    <message>
        <source>Stop the run; the best parameters so far are kept.</source>
        <translation>Den Lauf anhalten; die bisher besten Parameter bleiben erhalten.</translation>
    </message>
    <message>
        <source>The summary of every finished run appears here.</source>
        <translation>Hier erscheint die Zusammenfassung jedes beendeten Laufs.</translation>
    </message>
    <message>
        <source>Points: the representation stage (choose others in the Layers tab).</source>
        <translation>Punkte: die Repräsentationsphase (andere im Reiter Schichten wählen).</translation>
    </message>
    <message>
        <source>Run %1: %2, lr %3</source>
        <translation>Lauf %1: %2, LR %3</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>stopped early</source>
        <translation>vorzeitig beendet</translation>
    </message>
    <message>
        <source>completed</source>
        <translation>abgeschlossen</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>%1: %2 (%3 parameters), %4 → %5. %6 of %7 steps, learning rate %8, weights mapping %9 / effect %10 / consistency %11, seed %12. Best step %13. Cosine to the target&apos;s own vector: fitted %14, trained %15. Mapping error: fitted %16, trained %17. %18 s, %19.</source>
        <translation>%1: %2 (%3 Parameter), %4 → %5. %6 von %7 Schritten, Lernrate %8, Gewichte Abbildung %9 / Wirkung %10 / Konsistenz %11, Startwert %12. Bester Schritt %13. Kosinus zum eigenen Vektor des Ziels: angepasst %14, trainiert %15. Abbildungsfehler: angepasst %16, trainiert %17. %18 s, %19.</translation>
    </message>
    <message>
        <source>%1 (failed)</source>
        <translation>%1 (fehlgeschlagen)</translation>
    </message>
    <message>
        <source>%1 failed: %2</source>
        <translation>%1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>&amp;Use the trained adapter for the transfer</source>
        <translation>Trainierten Adapter für den Transfer &amp;verwenden</translation>
    </message>
    <message>
        <source>When a run ends and a vector was extracted at the same points, the adapter brings it into the target (Steering tab) instead of the strategy chosen there.</source>
        <translation>Wenn ein Lauf endet und ein Vektor an denselben Punkten extrahiert wurde, bringt der Adapter ihn in das Ziel (Reiter Steuerung) statt der dort gewählten Strategie.</translation>
    </message>
    <message>
        <source>the run was still going when the experiment was saved</source>
        <translation>der Lauf lief noch, als das Experiment gespeichert wurde</translation>
    </message>
    <message>
        <source>%1: cancelled before training started.</source>
        <translation>%1: abgebrochen, bevor das Training begann.</translation>
    </message>
</context>
<context>
    <name>sb::ArchitectureTable</name>
    <message>
        <source>Show only &amp;differences</source>
        <translation>Nur &amp;Unterschiede zeigen</translation>
    </message>
    <message>
        <source>&amp;Copy Table</source>
        <translation>Tabelle &amp;kopieren</translation>
    </message>
    <message>
        <source>Property</source>
        <translation>Eigenschaft</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Quellmodell</translation>
    </message>
    <message>
        <source>Source: %1</source>
        <translation>Quelle: %1</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Zielmodell</translation>
    </message>
    <message>
        <source>Target: %1</source>
        <translation>Ziel: %1</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>Einheit</translation>
    </message>
    <message>
        <source>%1

The two models differ here.</source>
        <translation>%1

Hier unterscheiden sich die beiden Modelle.</translation>
    </message>
    <message>
        <source>Load two models to compare their architectures.</source>
        <translation>Laden Sie zwei Modelle, um ihre Architekturen zu vergleichen.</translation>
    </message>
    <message numerus="yes">
        <source>%n of %1 properties differ (highlighted). Hover a row for what it means for transfer.</source>
        <translation>
            <numerusform>%n von %1 Eigenschaften unterscheidet sich (hervorgehoben). Zeigen Sie auf eine Zeile, um zu sehen, was das für die Übertragung bedeutet.</numerusform>
            <numerusform>%n von %1 Eigenschaften unterscheiden sich (hervorgehoben). Zeigen Sie auf eine Zeile, um zu sehen, was das für die Übertragung bedeutet.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sb::CompareJob</name>
    <message>
        <source>Load both models before comparing them.</source>
        <translation>Laden Sie beide Modelle, bevor Sie sie vergleichen.</translation>
    </message>
    <message>
        <source>Saving the experiment file</source>
        <translation>Speichere die Experimentdatei</translation>
    </message>
    <message>
        <source>Compared</source>
        <translation>Verglichen</translation>
    </message>
</context>
<context>
    <name>sb::CompatibilityPanel</name>
    <message>
        <source>Overall compatibility</source>
        <translation>Gesamtkompatibilität</translation>
    </message>
    <message>
        <source>Load two models to score their compatibility.</source>
        <translation>Laden Sie zwei Modelle, um ihre Kompatibilität zu bewerten.</translation>
    </message>
    <message>
        <source>Implied strategy: &lt;b&gt;%1&lt;/b&gt;</source>
        <translation>Daraus folgende Strategie: &lt;b&gt;%1&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Implied strategy: &lt;b&gt;%1&lt;/b&gt;. %2</source>
        <translation>Daraus folgende Strategie: &lt;b&gt;%1&lt;/b&gt;. %2</translation>
    </message>
    <message>
        <source>%1: %2. %3</source>
        <translation>%1: %2. %3</translation>
    </message>
</context>
<context>
    <name>sb::EvaluateVectorsJob</name>
    <message>
        <source>Scoring: %1</source>
        <translation>Bewertung: %1</translation>
    </message>
    <message>
        <source>Tokenizing</source>
        <translation>Tokenisiere</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
</context>
<context>
    <name>sb::ExtractVectorsJob</name>
    <message>
        <source>Reading pairs</source>
        <translation>Lese Paare</translation>
    </message>
    <message>
        <source>Collecting activations</source>
        <translation>Sammle Aktivierungen</translation>
    </message>
    <message>
        <source>line %1: %2</source>
        <translation>Zeile %1: %2</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
</context>
<context>
    <name>sb::Job</name>
    <message>
        <source>Could not start a worker thread: %1</source>
        <translation>Es konnte kein Arbeitsthread gestartet werden: %1</translation>
    </message>
</context>
<context>
    <name>sb::JobStatus</name>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Stop what is running (Esc in the main window)</source>
        <translation>Laufende Aufgaben anhalten (Esc im Hauptfenster)</translation>
    </message>
    <message>
        <source>failed: %1</source>
        <translation>fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>Cancelling...</source>
        <translation>Wird abgebrochen …</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source> (%1 %)</source>
        <translation> (%1 %)</translation>
    </message>
    <message numerus="yes">
        <source>, and %n more running</source>
        <translation>
            <numerusform>, und %n weitere Aufgabe läuft</numerusform>
            <numerusform>, und %n weitere Aufgaben laufen</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sb::LayerDiagram</name>
    <message>
        <source>residual stream</source>
        <translation>Residualstrom</translation>
    </message>
    <message>
        <source>attention output</source>
        <translation>Attention-Ausgabe</translation>
    </message>
    <message>
        <source>MLP output</source>
        <translation>MLP-Ausgabe</translation>
    </message>
    <message>
        <source>attn</source>
        <translation>Attn</translation>
    </message>
    <message>
        <source>MLP</source>
        <translation>MLP</translation>
    </message>
    <message>
        <source>resid</source>
        <translation>Resid</translation>
    </message>
    <message>
        <source>Layer mapping:</source>
        <translation>Schichtzuordnung:</translation>
    </message>
    <message>
        <source>&amp;Depth heuristic</source>
        <translation>&amp;Tiefenheuristik</translation>
    </message>
    <message>
        <source>Join layers at the same relative depth (the baseline).</source>
        <translation>Verbindet Schichten gleicher relativer Tiefe (die Vergleichsbasis).</translation>
    </message>
    <message>
        <source>&amp;Measured</source>
        <translation>&amp;Gemessen</translation>
    </message>
    <message>
        <source>Join layers along the path of highest representational similarity (needs a comparison run).</source>
        <translation>Verbindet Schichten entlang des Pfads höchster Repräsentationsähnlichkeit (erfordert einen Vergleichslauf).</translation>
    </message>
    <message>
        <source>&amp;Colour by:</source>
        <translation>&amp;Färben nach:</translation>
    </message>
    <message>
        <source>Component kind</source>
        <translation>Komponentenart</translation>
    </message>
    <message>
        <source>+</source>
        <translation>+</translation>
    </message>
    <message>
        <source>Zoom in (Ctrl++, or Ctrl+wheel)</source>
        <translation>Vergrößern (Strg++ oder Strg+Mausrad)</translation>
    </message>
    <message>
        <source>−</source>
        <translation>−</translation>
    </message>
    <message>
        <source>Zoom out (Ctrl+-)</source>
        <translation>Verkleinern (Strg+-)</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>Einpassen</translation>
    </message>
    <message>
        <source>Fit the diagram to the window (Ctrl+0)</source>
        <translation>Diagramm in das Fenster einpassen (Strg+0)</translation>
    </message>
    <message>
        <source>Load a source and a target model to see their layers.</source>
        <translation>Laden Sie ein Quell- und ein Zielmodell, um ihre Schichten zu sehen.</translation>
    </message>
    <message>
        <source>Source: %1</source>
        <translation>Quelle: %1</translation>
    </message>
    <message>
        <source>Target: %1</source>
        <translation>Ziel: %1</translation>
    </message>
    <message numerus="yes">
        <source>%1 · %n layer(s)</source>
        <translation>
            <numerusform>%1 · %n Schicht</numerusform>
            <numerusform>%1 · %n Schichten</numerusform>
        </translation>
    </message>
    <message>
        <source>output ↑</source>
        <translation>Ausgabe ↑</translation>
    </message>
    <message>
        <source>↑ embeddings</source>
        <translation>↑ Embeddings</translation>
    </message>
    <message>
        <source>Functional stage “%1” at %2 % depth: source layer %3, target layer %4</source>
        <translation>Funktionale Stufe „%1“ bei %2 % Tiefe: Quellschicht %3, Zielschicht %4</translation>
    </message>
    <message>
        <source>%1 (%2 %)</source>
        <translation>%1 (%2 %)</translation>
    </message>
    <message>
        <source>%1 (%2): %3 → %4</source>
        <translation>%1 (%2): %3 → %4</translation>
    </message>
    <message>
        <source>%1 (%2), each model on its own scale: source %3 → %4, target %5 → %6</source>
        <translation>%1 (%2), jedes Modell auf eigener Skala: Quelle %3 → %4, Ziel %5 → %6</translation>
    </message>
    <message>
        <source>Source layer %1 → target layer %2</source>
        <translation>Quellschicht %1 → Zielschicht %2</translation>
    </message>
    <message>
        <source> (similarity %1)</source>
        <translation> (Ähnlichkeit %1)</translation>
    </message>
    <message>
        <source>Source %1, layer %2 of 0–%3</source>
        <translation>Quelle %1, Schicht %2 von 0–%3</translation>
    </message>
    <message>
        <source>Target %1, layer %2 of 0–%3</source>
        <translation>Ziel %1, Schicht %2 von 0–%3</translation>
    </message>
    <message>
        <source>%1 (%2), relative depth %3–%4 %</source>
        <translation>%1 (%2), relative Tiefe %3–%4 %</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>depth heuristic</source>
        <translation>Tiefenheuristik</translation>
    </message>
    <message>
        <source>measured</source>
        <translation>gemessen</translation>
    </message>
    <message>
        <source>Mapped (%1) to target layer %2</source>
        <translation>Zugeordnet (%1) zu Zielschicht %2</translation>
    </message>
    <message>
        <source>Mapped (%1) from source layer(s) %2</source>
        <translation>Zugeordnet (%1) von Quellschicht(en) %2</translation>
    </message>
    <message>
        <source>Functional stage: %1 (%2 % depth)</source>
        <translation>Funktionale Stufe: %1 (%2 % Tiefe)</translation>
    </message>
    <message>
        <source>No models loaded.</source>
        <translation>Keine Modelle geladen.</translation>
    </message>
    <message>
        <source>not chosen</source>
        <translation>nicht gewählt</translation>
    </message>
    <message>
        <source>layer %1, %2</source>
        <translation>Schicht %1, %2</translation>
    </message>
    <message>
        <source>Extraction point (source): %1 · Injection point (target): %2. Click a component to choose; hover for numbers.</source>
        <translation>Extraktionspunkt (Quelle): %1 · Injektionspunkt (Ziel): %2. Klicken Sie auf eine Komponente, um sie zu wählen; zeigen Sie darauf, um die Zahlen zu sehen.</translation>
    </message>
    <message>
        <source>Layer diagram</source>
        <translation>Schichtdiagramm</translation>
    </message>
</context>
<context>
    <name>sb::LayerProfilePlot</name>
    <message>
        <source>&amp;Horizontal axis:</source>
        <translation>&amp;Horizontale Achse:</translation>
    </message>
    <message>
        <source>Relative depth</source>
        <translation>Relative Tiefe</translation>
    </message>
    <message>
        <source>Layer index</source>
        <translation>Schichtindex</translation>
    </message>
    <message>
        <source>Relative depth lines up models of different depth: layer i of L is drawn at (i + ½) / L.</source>
        <translation>Die relative Tiefe bringt Modelle unterschiedlicher Tiefe zur Deckung: Schicht i von L wird bei (i + ½) / L gezeichnet.</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>Schicht</translation>
    </message>
    <message>
        <source>Extract a vector to see its norm at every layer of both models.</source>
        <translation>Extrahieren Sie einen Vektor, um seine Norm in jeder Schicht beider Modelle zu sehen.</translation>
    </message>
</context>
<context>
    <name>sb::LoadModelJob</name>
    <message>
        <source>Loading weights</source>
        <translation>Gewichte werden geladen</translation>
    </message>
    <message>
        <source>Loading tokenizer</source>
        <translation>Tokenizer wird geladen</translation>
    </message>
    <message>
        <source>No tokenizer.json or tokenizer.model: text input is unavailable for this model.</source>
        <translation>Keine tokenizer.json und kein tokenizer.model: Texteingabe ist für dieses Modell nicht verfügbar.</translation>
    </message>
    <message>
        <source>Loaded</source>
        <translation>Geladen</translation>
    </message>
    <message>
        <source>The tokenizer could not be read, so text input is unavailable: %1</source>
        <translation>Der Tokenizer konnte nicht gelesen werden, daher ist keine Texteingabe möglich: %1</translation>
    </message>
</context>
<context>
    <name>sb::LossPlot</name>
    <message>
        <source>Loss &amp;term:</source>
        <translation>Verlust&amp;term:</translation>
    </message>
    <message>
        <source>All terms</source>
        <translation>Alle Terme</translation>
    </message>
    <message>
        <source>Which loss term to draw. Train curves are solid, validation curves dashed.</source>
        <translation>Welcher Verlustterm gezeichnet wird. Trainingskurven sind durchgezogen, Validierungskurven gestrichelt.</translation>
    </message>
    <message>
        <source>&amp;Logarithmic scale</source>
        <translation>&amp;Logarithmische Skala</translation>
    </message>
    <message>
        <source>Training loss</source>
        <translation>Trainingsverlust</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>Verlust</translation>
    </message>
    <message>
        <source>%1, %2 (%3)</source>
        <translation>%1, %2 (%3)</translation>
    </message>
    <message>
        <source>validation</source>
        <translation>Validierung</translation>
    </message>
    <message>
        <source>train</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>Run %1</source>
        <translation>Lauf %1</translation>
    </message>
    <message>
        <source>No training run yet: the losses appear here as the adapter trains.</source>
        <translation>Noch kein Trainingslauf: Die Verluste erscheinen hier, während der Adapter trainiert.</translation>
    </message>
</context>
<context>
    <name>sb::MainWindow</name>
    <message>
        <source>source</source>
        <translation>Quell</translation>
    </message>
    <message>
        <source>target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <source>SteerBridge</source>
        <translation>SteerBridge</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Compatibility for vector transfer</source>
        <translation>Kompatibilität für die Vektorübertragung</translation>
    </message>
    <message>
        <source>&amp;Architecture</source>
        <translation>&amp;Architektur</translation>
    </message>
    <message>
        <source>&amp;Layers</source>
        <translation>&amp;Schichten</translation>
    </message>
    <message>
        <source>Extraction point: %1</source>
        <translation>Extraktionspunkt: %1</translation>
    </message>
    <message>
        <source>Injection point: %1</source>
        <translation>Injektionspunkt: %1</translation>
    </message>
    <message>
        <source>&amp;Dataset</source>
        <translation>&amp;Datensatz</translation>
    </message>
    <message>
        <source>Mean difference</source>
        <translation>Mittelwertdifferenz</translation>
    </message>
    <message>
        <source>&amp;Method:</source>
        <translation>&amp;Methode:</translation>
    </message>
    <message>
        <source>E&amp;xtract</source>
        <translation>E&amp;xtrahieren</translation>
    </message>
    <message>
        <source>Vector norm per layer</source>
        <translation>Vektornorm pro Schicht</translation>
    </message>
    <message>
        <source>Norm of the vector</source>
        <translation>Norm des Vektors</translation>
    </message>
    <message>
        <source>E&amp;xtraction</source>
        <translation>E&amp;xtraktion</translation>
    </message>
    <message>
        <source>&amp;Training</source>
        <translation>&amp;Training</translation>
    </message>
    <message>
        <source>&amp;Steering</source>
        <translation>St&amp;euerung</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>Protokoll</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>Open &amp;Source Model...</source>
        <translation>&amp;Quellmodell öffnen …</translation>
    </message>
    <message>
        <source>Open &amp;Target Model...</source>
        <translation>&amp;Zielmodell öffnen …</translation>
    </message>
    <message>
        <source>Recent Source Models</source>
        <translation>Zuletzt geöffnete Quellmodelle</translation>
    </message>
    <message>
        <source>Recent Target Models</source>
        <translation>Zuletzt geöffnete Zielmodelle</translation>
    </message>
    <message>
        <source>Load &amp;Demo Pair</source>
        <translation>&amp;Demo-Paar laden</translation>
    </message>
    <message>
        <source>&amp;Export Figure...</source>
        <translation>Abbildung &amp;exportieren …</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Rückgängig</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>&amp;Wiederholen</translation>
    </message>
    <message>
        <source>&amp;Preferences...</source>
        <translation>&amp;Einstellungen …</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Presentation Mode</source>
        <translation>&amp;Präsentationsmodus</translation>
    </message>
    <message>
        <source>Large fonts and clean plots for lab meetings</source>
        <translation>Große Schrift und schlichte Diagramme für Gruppenbesprechungen</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>A&amp;usführen</translation>
    </message>
    <message>
        <source>&amp;Cancel Running Tasks</source>
        <translation>Laufende Aufgaben &amp;abbrechen</translation>
    </message>
    <message>
        <source>Cancel requested.</source>
        <translation>Abbruch angefordert.</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About SteerBridge</source>
        <translation>&amp;Über SteerBridge</translation>
    </message>
    <message>
        <source>Open Source Model</source>
        <translation>Quellmodell öffnen</translation>
    </message>
    <message>
        <source>Open Target Model</source>
        <translation>Zielmodell öffnen</translation>
    </message>
    <message>
        <source>Loading %1 model %2</source>
        <translation>%1modell %2 wird geladen</translation>
    </message>
    <message>
        <source>Loading %1 as the %2 model from %3</source>
        <translation>%1 wird als %2modell aus %3 geladen</translation>
    </message>
    <message>
        <source>Loaded %1 (%2)</source>
        <translation>%1 geladen (%2)</translation>
    </message>
    <message>
        <source>Loaded %1</source>
        <translation>%1 geladen</translation>
    </message>
    <message>
        <source>Cannot load model</source>
        <translation>Modell kann nicht geladen werden</translation>
    </message>
    <message>
        <source>Could not load the %1 model from
%2

%3</source>
        <translation>Das %1modell konnte nicht geladen werden aus
%2

%3</translation>
    </message>
    <message>
        <source>Demo models not found</source>
        <translation>Demo-Modelle nicht gefunden</translation>
    </message>
    <message>
        <source>The bundled demo models were not found. Set SB_RESOURCE_DIR to the resources folder.</source>
        <translation>Die mitgelieferten Demo-Modelle wurden nicht gefunden. Setzen Sie SB_RESOURCE_DIR auf den Ordner „resources“.</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>No recent models</source>
        <translation>Keine zuletzt geöffneten Modelle</translation>
    </message>
    <message>
        <source>?</source>
        <translation>?</translation>
    </message>
    <message>
        <source>%1 · hidden %2</source>
        <translation>%1 · Breite %2</translation>
    </message>
    <message>
        <source>Steered generation needs an extracted vector (Extraction tab).</source>
        <translation>Gesteuerte Generierung braucht einen extrahierten Vektor (Reiter Extraktion).</translation>
    </message>
    <message>
        <source>Error: %1</source>
        <translation>Fehler: %1</translation>
    </message>
    <message>
        <source>Exported %1</source>
        <translation>%1 exportiert</translation>
    </message>
    <message>
        <source>Presentation mode: Ctrl+Shift+P to leave</source>
        <translation>Präsentationsmodus: Strg+Umschalt+P zum Verlassen</translation>
    </message>
    <message>
        <source>Presentation mode off</source>
        <translation>Präsentationsmodus aus</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>SteerBridge will use the new language when it starts again.</source>
        <translation>SteerBridge verwendet die neue Sprache beim nächsten Start.</translation>
    </message>
    <message>
        <source>About SteerBridge</source>
        <translation>Über SteerBridge</translation>
    </message>
    <message>
        <source>&lt;h3&gt;SteerBridge %1&lt;/h3&gt;&lt;p&gt;Moves steering and preference vectors between transformer language models of different architectures: compare two models, map their layers, extract a vector in one, adapt it, inject it into the other and measure what it does.&lt;/p&gt;&lt;p&gt;Built with Qt %2, libtorch and QCustomPlot.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;SteerBridge %1&lt;/h3&gt;&lt;p&gt;Überträgt Steuerungs- und Präferenzvektoren zwischen Transformer-Sprachmodellen verschiedener Architekturen: zwei Modelle vergleichen, ihre Schichten einander zuordnen, einen Vektor im einen extrahieren, anpassen, in das andere injizieren und seine Wirkung messen.&lt;/p&gt;&lt;p&gt;Erstellt mit Qt %2, libtorch und QCustomPlot.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>Ungespeicherte Änderungen</translation>
    </message>
    <message>
        <source>Open as Source Model</source>
        <translation>Als Quellmodell öffnen</translation>
    </message>
    <message>
        <source>Open as Target Model</source>
        <translation>Als Zielmodell öffnen</translation>
    </message>
    <message>
        <source>feature extraction</source>
        <translation>Merkmalsextraktion</translation>
    </message>
    <message>
        <source>representation</source>
        <translation>Repräsentation</translation>
    </message>
    <message>
        <source>decision making</source>
        <translation>Entscheidung</translation>
    </message>
    <message>
        <source>&amp;New Experiment</source>
        <translation>&amp;Neues Experiment</translation>
    </message>
    <message>
        <source>Open E&amp;xperiment...</source>
        <translation>E&amp;xperiment öffnen …</translation>
    </message>
    <message>
        <source>&amp;Save Experiment</source>
        <translation>Experiment &amp;speichern</translation>
    </message>
    <message>
        <source>Save Experiment &amp;As...</source>
        <translation>Experiment speichern &amp;unter …</translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <source>Untitled experiment</source>
        <translation>Unbenanntes Experiment</translation>
    </message>
    <message>
        <source>%1[*] — SteerBridge</source>
        <translation>%1[*] — SteerBridge</translation>
    </message>
    <message>
        <source>%1[*] — %2 — SteerBridge</source>
        <translation>%1[*] — %2 — SteerBridge</translation>
    </message>
    <message>
        <source>The experiment %1 has changes that are not saved. Save them?</source>
        <translation>Das Experiment %1 hat ungespeicherte Änderungen. Sollen sie gespeichert werden?</translation>
    </message>
    <message>
        <source>(untitled)</source>
        <translation>(unbenannt)</translation>
    </message>
    <message>
        <source>Cannot save experiment</source>
        <translation>Experiment kann nicht gespeichert werden</translation>
    </message>
    <message>
        <source>Could not save the experiment to
%1

%2</source>
        <translation>Das Experiment konnte nicht gespeichert werden unter
%1

%2</translation>
    </message>
    <message>
        <source>Saved the experiment to %1</source>
        <translation>Experiment gespeichert unter %1</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>%1 gespeichert</translation>
    </message>
    <message>
        <source>Save Experiment</source>
        <translation>Experiment speichern</translation>
    </message>
    <message>
        <source>Experiments (*.h5)</source>
        <translation>Experimente (*.h5)</translation>
    </message>
    <message>
        <source>Cannot open experiment</source>
        <translation>Experiment kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>Could not open the experiment
%1

%2</source>
        <translation>Das Experiment konnte nicht geöffnet werden:
%1

%2</translation>
    </message>
    <message>
        <source>Opened the experiment %1</source>
        <translation>Experiment %1 geöffnet</translation>
    </message>
    <message>
        <source>Open Experiment</source>
        <translation>Experiment öffnen</translation>
    </message>
    <message>
        <source>Experiments (*.h5);;All files (*)</source>
        <translation>Experimente (*.h5);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>New experiment.</source>
        <translation>Neues Experiment.</translation>
    </message>
    <message>
        <source>Autosave failed: %1</source>
        <translation>Automatisches Speichern fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Unsaved work kept in a recovery file</source>
        <translation>Ungespeicherte Arbeit in einer Wiederherstellungsdatei gesichert</translation>
    </message>
    <message>
        <source>Recover unsaved work</source>
        <translation>Ungespeicherte Arbeit wiederherstellen</translation>
    </message>
    <message>
        <source>SteerBridge did not close normally last time. Restore the unsaved work from %1?</source>
        <translation>SteerBridge wurde beim letzten Mal nicht normal beendet. Die ungespeicherte Arbeit vom %1 wiederherstellen?</translation>
    </message>
    <message>
        <source>Export &amp;Report...</source>
        <translation>&amp;Bericht exportieren …</translation>
    </message>
    <message>
        <source>HTML report (*.html)</source>
        <translation>HTML-Bericht (*.html)</translation>
    </message>
    <message>
        <source>PDF report (*.pdf)</source>
        <translation>PDF-Bericht (*.pdf)</translation>
    </message>
    <message>
        <source>Export Report</source>
        <translation>Bericht exportieren</translation>
    </message>
    <message>
        <source>SteerBridge experiment: %1 → %2</source>
        <translation>SteerBridge-Experiment: %1 → %2</translation>
    </message>
    <message>
        <source>SteerBridge experiment</source>
        <translation>SteerBridge-Experiment</translation>
    </message>
    <message>
        <source>Experiment file</source>
        <translation>Experimentdatei</translation>
    </message>
    <message>
        <source>(unsaved)</source>
        <translation>(nicht gespeichert)</translation>
    </message>
    <message>
        <source>Source model</source>
        <translation>Quellmodell</translation>
    </message>
    <message>
        <source>Target model</source>
        <translation>Zielmodell</translation>
    </message>
    <message>
        <source>%1 (%2): %3</source>
        <translation>%1 (%2): %3</translation>
    </message>
    <message>
        <source>Architecture comparison</source>
        <translation>Architekturvergleich</translation>
    </message>
    <message numerus="yes">
        <source>%n of %1 properties differ (highlighted).</source>
        <translation>
            <numerusform>%n von %1 Eigenschaften unterscheidet sich (hervorgehoben).</numerusform>
            <numerusform>%n von %1 Eigenschaften unterscheiden sich (hervorgehoben).</numerusform>
        </translation>
    </message>
    <message>
        <source>Compatibility</source>
        <translation>Kompatibilität</translation>
    </message>
    <message>
        <source>Component</source>
        <translation>Komponente</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>Bewertung</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Begründung</translation>
    </message>
    <message>
        <source>Overall</source>
        <translation>Gesamt</translation>
    </message>
    <message>
        <source>Implied strategy: %1. %2</source>
        <translation>Daraus folgende Strategie: %1. %2</translation>
    </message>
    <message>
        <source>Layer mapping</source>
        <translation>Schichtzuordnung</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>Datensatz</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Pairs</source>
        <translation>Paare</translation>
    </message>
    <message>
        <source>Split</source>
        <translation>Aufteilung</translation>
    </message>
    <message>
        <source>%1 train, %2 held out (seed %3)</source>
        <translation>%1 Training, %2 zurückgehalten (Startwert %3)</translation>
    </message>
    <message>
        <source>Lines not imported</source>
        <translation>Nicht importierte Zeilen</translation>
    </message>
    <message>
        <source>Extraction</source>
        <translation>Extraktion</translation>
    </message>
    <message>
        <source>Norm of the extracted vector per layer.</source>
        <translation>Norm des extrahierten Vektors pro Schicht.</translation>
    </message>
    <message>
        <source>Adapter training</source>
        <translation>Adaptertraining</translation>
    </message>
    <message>
        <source>Steered outputs</source>
        <translation>Gesteuerte Ausgaben</translation>
    </message>
    <message>
        <source>Prompt: %1 (α = %2, seed %3)</source>
        <translation>Prompt: %1 (α = %2, Startwert %3)</translation>
    </message>
    <message>
        <source>Cannot export the report</source>
        <translation>Bericht kann nicht exportiert werden</translation>
    </message>
    <message>
        <source>Exported the report to %1</source>
        <translation>Bericht exportiert nach %1</translation>
    </message>
    <message>
        <source>Report written: %1</source>
        <translation>Bericht geschrieben: %1</translation>
    </message>
    <message>
        <source>The two models to relative depth, with the measured layer mapping and the functional stages.</source>
        <translation>Die beiden Modelle nach relativer Tiefe, mit der gemessenen Schichtzuordnung und den funktionalen Stufen.</translation>
    </message>
    <message>
        <source>The two models to relative depth, with the depth-heuristic layer mapping and the functional stages.</source>
        <translation>Die beiden Modelle nach relativer Tiefe, mit der Schichtzuordnung nach Tiefenheuristik und den funktionalen Stufen.</translation>
    </message>
    <message>
        <source>PCA of paired differences</source>
        <translation>PCA der Paardifferenzen</translation>
    </message>
    <message>
        <source>Logistic probe</source>
        <translation>Logistische Sonde</translation>
    </message>
    <message>
        <source>How the vector is made from the activations of the positive and negative texts.</source>
        <translation>Wie der Vektor aus den Aktivierungen der positiven und negativen Texte gebildet wird.</translation>
    </message>
    <message>
        <source>&amp;Positions:</source>
        <translation>&amp;Positionen:</translation>
    </message>
    <message>
        <source>Mean over the continuation</source>
        <translation>Mittel über die Fortsetzung</translation>
    </message>
    <message>
        <source>Last token</source>
        <translation>Letztes Token</translation>
    </message>
    <message>
        <source>Every continuation token</source>
        <translation>Jedes Token der Fortsetzung</translation>
    </message>
    <message>
        <source>Which token positions of the continuations are read (prompt tokens never are).</source>
        <translation>Welche Tokenpositionen der Fortsetzungen gelesen werden (Prompt-Token nie).</translation>
    </message>
    <message>
        <source>&amp;Injection:</source>
        <translation>&amp;Injektion:</translation>
    </message>
    <message>
        <source>By the compatibility scores</source>
        <translation>Nach den Kompatibilitätswerten</translation>
    </message>
    <message>
        <source>Direct</source>
        <translation>Direkt</translation>
    </message>
    <message>
        <source>Scaled</source>
        <translation>Skaliert</translation>
    </message>
    <message>
        <source>Adapted</source>
        <translation>Angepasst</translation>
    </message>
    <message>
        <source>How the source&apos;s vector is brought into the target (Architecture tab: implied strategy).</source>
        <translation>Wie der Vektor der Quelle ins Ziel gebracht wird (Reiter Architektur: abgeleitete Strategie).</translation>
    </message>
    <message>
        <source>Extract at every layer of both models from the dataset&apos;s train part; the points chosen in the Layers tab are the extraction and injection points.</source>
        <translation>Extrahiert an jeder Schicht beider Modelle aus dem Trainingsteil des Datensatzes; die im Reiter Schichten gewählten Punkte sind Extraktions- und Injektionspunkt.</translation>
    </message>
    <message>
        <source>Hidden dimension</source>
        <translation>Verborgene Dimension</translation>
    </message>
    <message>
        <source>Depth</source>
        <translation>Tiefe</translation>
    </message>
    <message>
        <source>Attention</source>
        <translation>Attention</translation>
    </message>
    <message>
        <source>Normalisation</source>
        <translation>Normalisierung</translation>
    </message>
    <message>
        <source>Activation</source>
        <translation>Aktivierung</translation>
    </message>
    <message>
        <source>Positions</source>
        <translation>Positionen</translation>
    </message>
    <message>
        <source>Tokenizer</source>
        <translation>Tokenizer</translation>
    </message>
    <message>
        <source>Representations (measured)</source>
        <translation>Repräsentationen (gemessen)</translation>
    </message>
    <message>
        <source>%1 (weight %2 %)</source>
        <translation>%1 (Gewicht %2 %)</translation>
    </message>
    <message>
        <source>Direct injection</source>
        <translation>Direkte Injektion</translation>
    </message>
    <message>
        <source>Scaled injection (× %1)</source>
        <translation>Skalierte Injektion (× %1)</translation>
    </message>
    <message>
        <source>Adapted injection (through a dimension adapter)</source>
        <translation>Angepasste Injektion (über einen Dimensionsadapter)</translation>
    </message>
    <message>
        <source>measured mapping</source>
        <translation>gemessene Zuordnung</translation>
    </message>
    <message>
        <source>Comparison of %1 and %2 restored from the experiment file</source>
        <translation>Vergleich von %1 und %2 aus der Experimentdatei wiederhergestellt</translation>
    </message>
    <message>
        <source>The experiment&apos;s comparison could not be read (%1); comparing again</source>
        <translation>Der Vergleich in der Experimentdatei ist nicht lesbar (%1); es wird neu verglichen</translation>
    </message>
    <message>
        <source>Comparing %1 and %2 (measuring layer similarity)</source>
        <translation>Vergleiche %1 und %2 (Schichtähnlichkeit wird gemessen)</translation>
    </message>
    <message>
        <source>Comparing %1 and %2</source>
        <translation>Vergleiche %1 und %2</translation>
    </message>
    <message>
        <source>Compared %1 and %2: overall compatibility %3, measured mean CKA along the mapping %4</source>
        <translation>%1 und %2 verglichen: Gesamtkompatibilität %3, gemessene mittlere CKA entlang der Zuordnung %4</translation>
    </message>
    <message>
        <source>Compared %1 and %2: overall compatibility %3 (layer similarity not measured: a model has no tokenizer)</source>
        <translation>%1 und %2 verglichen: Gesamtkompatibilität %3 (Schichtähnlichkeit nicht gemessen: einem Modell fehlt der Tokenizer)</translation>
    </message>
    <message>
        <source>The comparison failed: %1</source>
        <translation>Der Vergleich ist fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>The comparison failed; see the log</source>
        <translation>Der Vergleich ist fehlgeschlagen; siehe Protokoll</translation>
    </message>
    <message>
        <source>linear CKA, %1</source>
        <translation>lineare CKA, %1</translation>
    </message>
    <message>
        <source>debiased CKA, %1</source>
        <translation>entzerrte CKA, %1</translation>
    </message>
    <message>
        <source>mutual kNN (k = %1), %2</source>
        <translation>gegenseitige kNN (k = %1), %2</translation>
    </message>
    <message>
        <source>Similarity (linear CKA)</source>
        <translation>Ähnlichkeit (lineare CKA)</translation>
    </message>
    <message>
        <source>CKA %1</source>
        <translation>CKA %1</translation>
    </message>
    <message>
        <source>pairs</source>
        <translation>Paare</translation>
    </message>
    <message>
        <source>Cannot extract</source>
        <translation>Extraktion nicht möglich</translation>
    </message>
    <message>
        <source>Load a source and a target model first.</source>
        <translation>Laden Sie zuerst ein Quell- und ein Zielmodell.</translation>
    </message>
    <message>
        <source>The dataset needs at least two pairs (Dataset tab): one to extract from, one held out.</source>
        <translation>Der Datensatz braucht mindestens zwei Paare (Reiter Datensatz): eines zum Extrahieren, eines zurückgehalten.</translation>
    </message>
    <message>
        <source>Extracting vectors from %1 pairs</source>
        <translation>Extrahiere Vektoren aus %1 Paaren</translation>
    </message>
    <message>
        <source>Extracting...</source>
        <translation>Extrahiere ...</translation>
    </message>
    <message>
        <source>Extracted %1 → %2 (%3), cosine to the target&apos;s own vector %4</source>
        <translation>Extrahiert: %1 → %2 (%3), Kosinus zum eigenen Vektor des Ziels %4</translation>
    </message>
    <message>
        <source>Extraction failed: %1</source>
        <translation>Extraktion fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Extraction failed</source>
        <translation>Extraktion fehlgeschlagen</translation>
    </message>
    <message>
        <source>Extraction cancelled.</source>
        <translation>Extraktion abgebrochen.</translation>
    </message>
    <message>
        <source>Choose the points in the Layers tab (or leave them to the representation stage) and extract.</source>
        <translation>Wählen Sie die Punkte im Reiter Schichten (oder überlassen Sie sie der Repräsentationsstufe) und extrahieren Sie.</translation>
    </message>
    <message>
        <source>%1 (source, %2)</source>
        <translation>%1 (Quelle, %2)</translation>
    </message>
    <message>
        <source>%1 (target, %2)</source>
        <translation>%1 (Ziel, %2)</translation>
    </message>
    <message>
        <source>Vector norm</source>
        <translation>Vektornorm</translation>
    </message>
    <message>
        <source>norm %1</source>
        <translation>Norm %1</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; → &lt;b&gt;%2&lt;/b&gt; by %3: transferred norm %4 (the target&apos;s own vector: %5), cosine %6. %7 pairs to extract from, %8 held out.&lt;br&gt;%9</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; → &lt;b&gt;%2&lt;/b&gt; per %3: übertragene Norm %4 (eigener Vektor des Ziels: %5), Kosinus %6. %7 Paare zum Extrahieren, %8 zurückgehalten.&lt;br&gt;%9</translation>
    </message>
    <message>
        <source>Cannot generate</source>
        <translation>Generieren nicht möglich</translation>
    </message>
    <message>
        <source>Extract a vector first (Extraction tab).</source>
        <translation>Extrahieren Sie zuerst einen Vektor (Reiter Extraktion).</translation>
    </message>
    <message>
        <source>%1 unsteered</source>
        <translation>%1 ungesteuert</translation>
    </message>
    <message>
        <source>%1 with its own vector</source>
        <translation>%1 mit eigenem Vektor</translation>
    </message>
    <message>
        <source>%1 with the transferred vector</source>
        <translation>%1 mit übertragenem Vektor</translation>
    </message>
    <message>
        <source>%1 (source) with its vector</source>
        <translation>%1 (Quelle) mit eigenem Vektor</translation>
    </message>
    <message>
        <source>Generating %1 columns</source>
        <translation>Generiere %1 Spalten</translation>
    </message>
    <message>
        <source>preference gap %1 [%2, %3] on %4 held-out pairs · shift %5 · %6 tokens</source>
        <translation>Präferenzabstand %1 [%2, %3] auf %4 zurückgehaltenen Paaren · Verschiebung %5 · %6 Token</translation>
    </message>
    <message>
        <source>Steered comparison done</source>
        <translation>Gesteuerter Vergleich fertig</translation>
    </message>
    <message>
        <source>Generation failed</source>
        <translation>Generieren fehlgeschlagen</translation>
    </message>
    <message>
        <source>&amp;Protocol</source>
        <translation>&amp;Protokoll</translation>
    </message>
    <message>
        <source>Both models need a tokenizer.</source>
        <translation>Beide Modelle brauchen einen Tokenizer.</translation>
    </message>
    <message>
        <source>Points: load a source and a target model first.</source>
        <translation>Punkte: zuerst ein Quell- und ein Zielmodell laden.</translation>
    </message>
    <message>
        <source>source layer %1 (%2)</source>
        <translation>Quellschicht %1 (%2)</translation>
    </message>
    <message>
        <source>the source&apos;s representation-stage layer (%1)</source>
        <translation>die Schicht der Repräsentationsphase der Quelle (%1)</translation>
    </message>
    <message>
        <source>target layer %1</source>
        <translation>Zielschicht %1</translation>
    </message>
    <message>
        <source>the layer of equal relative depth</source>
        <translation>die Schicht gleicher relativer Tiefe</translation>
    </message>
    <message>
        <source>Points: %1 → %2. Choose others in the Layers tab.</source>
        <translation>Punkte: %1 → %2. Andere im Reiter Schichten wählen.</translation>
    </message>
    <message>
        <source>The adapter maps one component on both sides: %1.</source>
        <translation>Der Adapter bildet auf beiden Seiten dieselbe Komponente ab: %1.</translation>
    </message>
    <message>
        <source>Cannot train</source>
        <translation>Training nicht möglich</translation>
    </message>
    <message>
        <source>The dataset needs at least two pairs (Dataset tab): the adapter&apos;s effect is trained on the train part and checked on the held-out part.</source>
        <translation>Der Datensatz braucht mindestens zwei Paare (Reiter Datensatz): Die Wirkung des Adapters wird am Trainingsteil trainiert und am zurückgehaltenen Teil geprüft.</translation>
    </message>
    <message>
        <source>Training a %1 adapter (%2 steps)</source>
        <translation>Trainiere einen Adapter %1 (%2 Schritte)</translation>
    </message>
    <message>
        <source>Training a %1 adapter: %2 steps, learning rate %3, %4 pairs</source>
        <translation>Trainiere einen Adapter %1: %2 Schritte, Lernrate %3, %4 Paare</translation>
    </message>
    <message>
        <source>Adapter %1 %2 → %3: %4 steps, best step %5, cosine to the target&apos;s own vector %6 (fitted %7)%8</source>
        <translation>Adapter %1 %2 → %3: %4 Schritte, bester Schritt %5, Kosinus zum eigenen Vektor des Ziels %6 (angepasst %7)%8</translation>
    </message>
    <message>
        <source>, cancelled</source>
        <translation>, abgebrochen</translation>
    </message>
    <message>
        <source>, stopped early</source>
        <translation>, vorzeitig beendet</translation>
    </message>
    <message>
        <source>Training failed</source>
        <translation>Training fehlgeschlagen</translation>
    </message>
    <message>
        <source>Cannot run the protocol</source>
        <translation>Protokoll nicht ausführbar</translation>
    </message>
    <message>
        <source>Choose at least one stage, one component and one strategy.</source>
        <translation>Mindestens eine Phase, eine Komponente und eine Strategie wählen.</translation>
    </message>
    <message>
        <source>Running the protocol...</source>
        <translation>Protokoll läuft ...</translation>
    </message>
    <message>
        <source>Transfer protocol on %1 → %2</source>
        <translation>Transferprotokoll für %1 → %2</translation>
    </message>
    <message>
        <source>Running the transfer protocol: %1 stage(s), %2 component(s), %3 strategies</source>
        <translation>Transferprotokoll läuft: %1 Phase(n), %2 Komponente(n), %3 Strategien</translation>
    </message>
    <message numerus="yes">
        <source>Done: %n row(s).</source>
        <translation>
            <numerusform>Fertig: %n Zeile.</numerusform>
            <numerusform>Fertig: %n Zeilen.</numerusform>
        </translation>
    </message>
    <message>
        <source>Protocol done: %1 rows, best point %2</source>
        <translation>Protokoll fertig: %1 Zeilen, bester Punkt %2</translation>
    </message>
    <message>
        <source>The protocol failed: %1</source>
        <translation>Das Protokoll ist fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Protocol failed</source>
        <translation>Protokoll fehlgeschlagen</translation>
    </message>
    <message>
        <source>Protocol cancelled.</source>
        <translation>Protokoll abgebrochen.</translation>
    </message>
    <message>
        <source>Training and validation loss of every run (validation dashed).</source>
        <translation>Trainings- und Validierungsverlust jedes Laufs (Validierung gestrichelt).</translation>
    </message>
    <message>
        <source>Transfer protocol</source>
        <translation>Transferprotokoll</translation>
    </message>
    <message>
        <source>Mean transfer efficiency and cosine to the target&apos;s own vector per strategy.</source>
        <translation>Mittlere Transfereffizienz und Kosinus zum eigenen Vektor des Ziels je Strategie.</translation>
    </message>
    <message>
        <source>The extracted vector is now transferred by this adapter: cosine to the target&apos;s own vector %1.</source>
        <translation>Der extrahierte Vektor wird jetzt mit diesem Adapter übertragen: Kosinus zum eigenen Vektor des Ziels %1.</translation>
    </message>
    <message>
        <source>Not used for the transfer: %1</source>
        <translation>Nicht für den Transfer verwendet: %1</translation>
    </message>
    <message>
        <source>This tab has no figure to export; the Layers, Extraction, Training and Protocol tabs do.</source>
        <translation>Dieser Reiter hat keine exportierbare Abbildung; die Reiter Schichten, Extraktion, Training und Protokoll haben eine.</translation>
    </message>
    <message>
        <source>Transferred by the trained %1 adapter: cosine to the target&apos;s own vector %2</source>
        <translation>Mit dem trainierten %1-Adapter übertragen: Kosinus zum eigenen Vektor des Ziels %2</translation>
    </message>
    <message>
        <source>Fine-tuning loss of the protocol&apos;s rows trained with effect preservation.</source>
        <translation>Verlust beim Nachtraining der mit Wirkungserhaltung trainierten Zeilen des Protokolls.</translation>
    </message>
    <message>
        <source>Cannot start a new experiment</source>
        <translation>Kein neues Experiment möglich</translation>
    </message>
    <message>
        <source>An extraction, a steered generation, an adapter training or the protocol is running. Cancel it or let it finish first.</source>
        <translation>Eine Extraktion, eine gesteuerte Generierung, ein Adaptertraining oder das Protokoll läuft. Brechen Sie es ab oder lassen Sie es zuerst zu Ende laufen.</translation>
    </message>
</context>
<context>
    <name>sb::ModelPane</name>
    <message>
        <source>Choose a Hugging Face model folder (config.json and safetensors), or drop one on this pane. The arrow lists recent models.</source>
        <translation>Wählen Sie einen Hugging-Face-Modellordner (config.json und safetensors) oder ziehen Sie ihn auf diesen Bereich. Der Pfeil zeigt zuletzt geöffnete Modelle.</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>%1: loading %2...</source>
        <translation>%1: %2 wird geladen …</translation>
    </message>
    <message>
        <source>%1: could not load %2</source>
        <translation>%1: %2 konnte nicht geladen werden</translation>
    </message>
    <message>
        <source>%1: no model loaded</source>
        <translation>%1: kein Modell geladen</translation>
    </message>
    <message>
        <source>Open a model folder or drop one here.</source>
        <translation>Öffnen Sie einen Modellordner oder ziehen Sie ihn hierher.</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>No recent models</source>
        <translation>Keine zuletzt geöffneten Modelle</translation>
    </message>
    <message>
        <source>Open...</source>
        <translation>Öffnen …</translation>
    </message>
</context>
<context>
    <name>sb::PairTableEditor</name>
    <message>
        <source>Edit cell</source>
        <translation>Zelle bearbeiten</translation>
    </message>
    <message>
        <source>Split dataset</source>
        <translation>Datensatz aufteilen</translation>
    </message>
    <message>
        <source>Both continuations are needed.</source>
        <translation>Beide Fortsetzungen werden benötigt.</translation>
    </message>
    <message>
        <source>The positive and negative continuations are identical, so the pair carries no contrast.</source>
        <translation>Die positive und die negative Fortsetzung sind gleich; das Paar enthält also keinen Kontrast.</translation>
    </message>
    <message>
        <source>Not imported: %1</source>
        <translation>Nicht importiert: %1</translation>
    </message>
    <message>
        <source>Line %1 of the imported file could not be read: %2. Fix the file and import again, or delete this row.</source>
        <translation>Zeile %1 der importierten Datei konnte nicht gelesen werden: %2. Korrigieren Sie die Datei und importieren Sie sie erneut, oder löschen Sie diese Zeile.</translation>
    </message>
    <message>
        <source>train</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>held out</source>
        <translation>zurückgehalten</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>Not in the split yet: split again to assign it.</source>
        <translation>Noch nicht aufgeteilt: Teilen Sie erneut auf, um das Paar zuzuordnen.</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>Zeile</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>Prompt</translation>
    </message>
    <message>
        <source>Positive continuation</source>
        <translation>Positive Fortsetzung</translation>
    </message>
    <message>
        <source>Negative continuation</source>
        <translation>Negative Fortsetzung</translation>
    </message>
    <message>
        <source>Split</source>
        <translation>Aufteilung</translation>
    </message>
    <message>
        <source>&amp;Add Pair</source>
        <translation>Paar &amp;hinzufügen</translation>
    </message>
    <message>
        <source>Add an empty pair below the selection (Insert)</source>
        <translation>Ein leeres Paar unter der Auswahl einfügen (Einfg)</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>&amp;Löschen</translation>
    </message>
    <message>
        <source>Delete the selected rows (Delete)</source>
        <translation>Die gewählten Zeilen löschen (Entf)</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Rückgängig</translation>
    </message>
    <message>
        <source>Undo the last change (Ctrl+Z)</source>
        <translation>Die letzte Änderung rückgängig machen (Strg+Z)</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>Wiederholen</translation>
    </message>
    <message>
        <source>Redo (Ctrl+Shift+Z)</source>
        <translation>Wiederholen (Strg+Umschalt+Z)</translation>
    </message>
    <message>
        <source>&amp;Import...</source>
        <translation>&amp;Importieren …</translation>
    </message>
    <message>
        <source>Append pairs from a JSONL, CAA (JSON) or CSV file</source>
        <translation>Paare aus einer JSONL-, CAA- (JSON) oder CSV-Datei anhängen</translation>
    </message>
    <message>
        <source>&amp;Held out:</source>
        <translation>&amp;Zurückgehalten:</translation>
    </message>
    <message>
        <source>Fraction of pairs kept out of extraction and training, to measure the effect honestly.</source>
        <translation>Anteil der Paare, der von Extraktion und Training ausgenommen wird, um die Wirkung ehrlich zu messen.</translation>
    </message>
    <message>
        <source>S&amp;eed:</source>
        <translation>S&amp;tartwert:</translation>
    </message>
    <message>
        <source>The same seed and pairs always give the same split.</source>
        <translation>Derselbe Startwert und dieselben Paare ergeben immer dieselbe Aufteilung.</translation>
    </message>
    <message>
        <source>&amp;Split</source>
        <translation>&amp;Aufteilen</translation>
    </message>
    <message>
        <source>Add pair</source>
        <translation>Paar hinzufügen</translation>
    </message>
    <message numerus="yes">
        <source>Delete %n row(s)</source>
        <translation>
            <numerusform>%n Zeile löschen</numerusform>
            <numerusform>%n Zeilen löschen</numerusform>
        </translation>
    </message>
    <message>
        <source>No importer is available for %1.</source>
        <translation>Für %1 ist kein Import verfügbar.</translation>
    </message>
    <message>
        <source>Cannot import pairs</source>
        <translation>Paare können nicht importiert werden</translation>
    </message>
    <message>
        <source>Import %1</source>
        <translation>%1 importieren</translation>
    </message>
    <message>
        <source>Import Pairs</source>
        <translation>Paare importieren</translation>
    </message>
    <message>
        <source>Pair datasets (*.jsonl *.json *.csv);;All files (*)</source>
        <translation>Paardatensätze (*.jsonl *.json *.csv);;Alle Dateien (*)</translation>
    </message>
    <message numerus="yes">
        <source>%n pair(s)</source>
        <translation>
            <numerusform>%n Paar</numerusform>
            <numerusform>%n Paare</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1: %n pair(s)</source>
        <translation>
            <numerusform>%1: %n Paar</numerusform>
            <numerusform>%1: %n Paare</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n line(s) could not be imported (red rows)</source>
        <translation>
            <numerusform>%n Zeile konnte nicht importiert werden (rote Zeilen)</numerusform>
            <numerusform>%n Zeilen konnten nicht importiert werden (rote Zeilen)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n pair(s) need fixing (yellow rows)</source>
        <translation>
            <numerusform>%n Paar muss korrigiert werden (gelbe Zeilen)</numerusform>
            <numerusform>%n Paare müssen korrigiert werden (gelbe Zeilen)</numerusform>
        </translation>
    </message>
    <message>
        <source>split: %1 train, %2 held out</source>
        <translation>Aufteilung: %1 Training, %2 zurückgehalten</translation>
    </message>
    <message>
        <source>not split yet: press Split</source>
        <translation>noch nicht aufgeteilt: „Aufteilen“ drücken</translation>
    </message>
    <message>
        <source>splitting is unavailable</source>
        <translation>Aufteilen ist nicht verfügbar</translation>
    </message>
</context>
<context>
    <name>sb::PlotView</name>
    <message>
        <source>Export Plot...</source>
        <translation>Diagramm exportieren …</translation>
    </message>
</context>
<context>
    <name>sb::PreferencesDialog</name>
    <message>
        <source>Preferences</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>System language (%1)</source>
        <translation>Systemsprache (%1)</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Sprache:</translation>
    </message>
    <message>
        <source>A new language takes effect when SteerBridge starts again.</source>
        <translation>Eine neue Sprache gilt ab dem nächsten Start von SteerBridge.</translation>
    </message>
    <message>
        <source>Load the &amp;demo models at start</source>
        <translation>&amp;Demo-Modelle beim Start laden</translation>
    </message>
    <message>
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <source>How often unsaved work is written to a recovery file.</source>
        <translation>Wie oft ungespeicherte Arbeit in eine Wiederherstellungsdatei geschrieben wird.</translation>
    </message>
    <message>
        <source>&amp;Autosave every:</source>
        <translation>&amp;Automatisch speichern alle:</translation>
    </message>
    <message>
        <source> ×</source>
        <translation> ×</translation>
    </message>
    <message>
        <source>&amp;Presentation font size:</source>
        <translation>Schriftgröße im &amp;Präsentationsmodus:</translation>
    </message>
</context>
<context>
    <name>sb::ProtocolResultsView</name>
    <message>
        <source>Feature extraction</source>
        <translation>Merkmalsextraktion</translation>
    </message>
    <message>
        <source>Representation</source>
        <translation>Repräsentation</translation>
    </message>
    <message>
        <source>Decision making</source>
        <translation>Entscheidung</translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation>Protokoll</translation>
    </message>
    <message>
        <source>Functional stages whose source layer is a transfer point (each mapped to a target layer).</source>
        <translation>Funktionale Phasen, deren Quellschicht ein Transferpunkt ist (jeweils einer Zielschicht zugeordnet).</translation>
    </message>
    <message>
        <source>Stages:</source>
        <translation>Phasen:</translation>
    </message>
    <message>
        <source>Residual stream (resid_post)</source>
        <translation>Residualstrom (resid_post)</translation>
    </message>
    <message>
        <source>Attention output (attn_out)</source>
        <translation>Ausgabe der Attention (attn_out)</translation>
    </message>
    <message>
        <source>MLP output (mlp_out)</source>
        <translation>Ausgabe des MLP (mlp_out)</translation>
    </message>
    <message>
        <source>Components read at every point.</source>
        <translation>An jedem Punkt gelesene Komponenten.</translation>
    </message>
    <message>
        <source>Components:</source>
        <translation>Komponenten:</translation>
    </message>
    <message>
        <source>Transfer strategies from the simplest (direct, scaled, padding) to learned adapters; strategies that do not fit the widths are skipped.</source>
        <translation>Transferstrategien von der einfachsten (direkt, skaliert, Auffüllen) bis zu gelernten Adaptern; Strategien, die nicht zu den Breiten passen, werden übersprungen.</translation>
    </message>
    <message>
        <source>Strategies:</source>
        <translation>Strategien:</translation>
    </message>
    <message>
        <source>Fine-tuning steps of the rows trained with effect preservation (0 skips them).</source>
        <translation>Nachtrainingsschritte der mit Wirkungserhaltung trainierten Zeilen (0 lässt sie aus).</translation>
    </message>
    <message>
        <source>Training &amp;steps:</source>
        <translation>Trainings&amp;schritte:</translation>
    </message>
    <message>
        <source>all</source>
        <translation>alle</translation>
    </message>
    <message>
        <source>Sentences of the bundled probe corpus used for the paired activations (fewer: faster).</source>
        <translation>Sätze des mitgelieferten Prüfkorpus für die gepaarten Aktivierungen (weniger: schneller).</translation>
    </message>
    <message>
        <source>&amp;Probe sentences:</source>
        <translation>&amp;Prüfsätze:</translation>
    </message>
    <message>
        <source>&amp;Measured layer mapping</source>
        <translation>&amp;Gemessene Schichtzuordnung</translation>
    </message>
    <message>
        <source>Target layers from the CKA path over the probe; off: the relative-depth heuristic.</source>
        <translation>Zielschichten aus dem CKA-Pfad über den Prüfkorpus; aus: die Heuristik der relativen Tiefe.</translation>
    </message>
    <message>
        <source>Measure side &amp;effects (KL)</source>
        <translation>&amp;Nebenwirkungen messen (KL)</translation>
    </message>
    <message>
        <source>KL divergence of the steered target&apos;s next-token distribution on neutral text.</source>
        <translation>KL-Divergenz der Verteilung des nächsten Tokens des gesteuerten Ziels auf neutralem Text.</translation>
    </message>
    <message>
        <source>&amp;Run Protocol</source>
        <translation>Protokoll &amp;ausführen</translation>
    </message>
    <message>
        <source>Run every chosen strategy at every point on the loaded models; scored on the dataset&apos;s held-out pairs.</source>
        <translation>Jede gewählte Strategie an jedem Punkt der geladenen Modelle ausführen; bewertet auf den zurückgehaltenen Paaren des Datensatzes.</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>&amp;Abbrechen</translation>
    </message>
    <message>
        <source>Point</source>
        <translation>Punkt</translation>
    </message>
    <message>
        <source>Component</source>
        <translation>Komponente</translation>
    </message>
    <message>
        <source>Strategy</source>
        <translation>Strategie</translation>
    </message>
    <message>
        <source>Cosine to native</source>
        <translation>Kosinus zum eigenen Vektor</translation>
    </message>
    <message>
        <source>Shift [95 % CI]</source>
        <translation>Verschiebung [95-%-KI]</translation>
    </message>
    <message>
        <source>Efficiency</source>
        <translation>Effizienz</translation>
    </message>
    <message>
        <source>Random shift</source>
        <translation>Zufallsverschiebung</translation>
    </message>
    <message>
        <source>KL</source>
        <translation>KL</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>Train time (s)</source>
        <translation>Trainingszeit (s)</translation>
    </message>
    <message>
        <source>Mapping error</source>
        <translation>Abbildungsfehler</translation>
    </message>
    <message>
        <source>Functional stage, source point and the target point it maps to.</source>
        <translation>Funktionale Phase, Quellpunkt und der zugeordnete Zielpunkt.</translation>
    </message>
    <message>
        <source>Which activations: residual stream, attention output or MLP output.</source>
        <translation>Welche Aktivierungen: Residualstrom, Ausgabe der Attention oder des MLP.</translation>
    </message>
    <message>
        <source>How the source&apos;s vector was brought into the target.</source>
        <translation>Wie der Vektor der Quelle in das Ziel gebracht wurde.</translation>
    </message>
    <message>
        <source>Cosine between the transferred vector and the target&apos;s own vector at that point.</source>
        <translation>Kosinus zwischen dem übertragenen Vektor und dem eigenen Vektor des Ziels an diesem Punkt.</translation>
    </message>
    <message>
        <source>Mean preference shift of the target steered with the transferred vector, on held-out pairs (nats), with its bootstrap interval.</source>
        <translation>Mittlere Präferenzverschiebung des mit dem übertragenen Vektor gesteuerten Ziels auf zurückgehaltenen Paaren (nats), mit Bootstrap-Intervall.</translation>
    </message>
    <message>
        <source>Shift divided by the shift of the target&apos;s own vector: 1 transfers the whole effect.</source>
        <translation>Verschiebung geteilt durch die Verschiebung des eigenen Vektors des Ziels: 1 überträgt die ganze Wirkung.</translation>
    </message>
    <message>
        <source>Shift of random vectors of the same norm: the floor a transfer must beat.</source>
        <translation>Verschiebung durch Zufallsvektoren gleicher Norm: die Untergrenze, die ein Transfer übertreffen muss.</translation>
    </message>
    <message>
        <source>KL divergence on neutral text: the side effect of steering.</source>
        <translation>KL-Divergenz auf neutralem Text: die Nebenwirkung der Steuerung.</translation>
    </message>
    <message>
        <source>Trainable parameters of the adapter (0 for the baselines).</source>
        <translation>Trainierbare Parameter des Adapters (0 bei den Vergleichsverfahren).</translation>
    </message>
    <message>
        <source>Seconds spent fitting and training.</source>
        <translation>Sekunden für Anpassung und Training.</translation>
    </message>
    <message>
        <source>Relative error of the mapped activations on held-out rows (adapters only).</source>
        <translation>Relativer Fehler der abgebildeten Aktivierungen auf zurückgehaltenen Zeilen (nur Adapter).</translation>
    </message>
    <message>
        <source>Transfer per strategy</source>
        <translation>Transfer je Strategie</translation>
    </message>
    <message>
        <source>Mean over points</source>
        <translation>Mittel über die Punkte</translation>
    </message>
    <message>
        <source>No protocol run yet.</source>
        <translation>Noch kein Protokolllauf.</translation>
    </message>
    <message>
        <source>The protocol runs every chosen strategy at every mapped point and scores it on the dataset&apos;s held-out pairs against the target&apos;s own vector and random vectors of the same norm.</source>
        <translation>Das Protokoll führt jede gewählte Strategie an jedem zugeordneten Punkt aus und bewertet sie auf den zurückgehaltenen Paaren des Datensatzes gegen den eigenen Vektor des Ziels und Zufallsvektoren gleicher Norm.</translation>
    </message>
    <message numerus="yes">
        <source>%1 → %2 on %3: %4 pairs train, %5 held out; %6 layer mapping; %7 activation rows per point; %n row(s) in %8 s.</source>
        <translation>
            <numerusform>%1 → %2 auf %3: %4 Paare Training, %5 zurückgehalten; %6 Schichtzuordnung; %7 Aktivierungszeilen je Punkt; %n Zeile in %8 s.</numerusform>
            <numerusform>%1 → %2 auf %3: %4 Paare Training, %5 zurückgehalten; %6 Schichtzuordnung; %7 Aktivierungszeilen je Punkt; %n Zeilen in %8 s.</numerusform>
        </translation>
    </message>
    <message>
        <source>measured</source>
        <translation>gemessene</translation>
    </message>
    <message>
        <source>depth-heuristic</source>
        <translation>Tiefenheuristik-</translation>
    </message>
    <message>
        <source>Best: %1 at %2 (efficiency %3; bold).</source>
        <translation>Beste: %1 bei %2 (Effizienz %3; fett).</translation>
    </message>
    <message>
        <source>%1: %2 → %3</source>
        <translation>%1: %2 → %3</translation>
    </message>
    <message>
        <source>%1 [%2, %3]</source>
        <translation>%1 [%2, %3]</translation>
    </message>
    <message>
        <source>The target&apos;s own vector: %1</source>
        <translation>Eigener Vektor des Ziels: %1</translation>
    </message>
    <message>
        <source>Transfer efficiency</source>
        <translation>Transfereffizienz</translation>
    </message>
    <message>
        <source>Fine-tuning of the +effect rows</source>
        <translation>Nachtraining der +effect-Zeilen</translation>
    </message>
    <message>
        <source>No fine-tuning yet: the losses of the rows trained with effect preservation appear here as they train.</source>
        <translation>Noch kein Nachtraining: Die Verluste der mit Wirkungserhaltung trainierten Zeilen erscheinen hier, während sie trainieren.</translation>
    </message>
    <message>
        <source>Per strategy</source>
        <translation>Je Strategie</translation>
    </message>
    <message>
        <source>Fine-tuning</source>
        <translation>Nachtraining</translation>
    </message>
    <message>
        <source>Stop the protocol; the result shown before the run stays.</source>
        <translation>Das Protokoll anhalten; das vor dem Lauf gezeigte Ergebnis bleibt.</translation>
    </message>
</context>
<context>
    <name>sb::SimilarityHeatmap</name>
    <message>
        <source>&amp;Similarity:</source>
        <translation>Ä&amp;hnlichkeit:</translation>
    </message>
    <message>
        <source>Which layer-similarity measure to show. CKA compares the geometry of two layers&apos; activations on the same texts; mutual kNN counts shared nearest neighbours.</source>
        <translation>Welches Maß der Schichtähnlichkeit angezeigt wird. CKA vergleicht die Geometrie der Aktivierungen zweier Schichten auf denselben Texten; gegenseitiges kNN zählt gemeinsame nächste Nachbarn.</translation>
    </message>
    <message>
        <source>Layer similarity</source>
        <translation>Schichtähnlichkeit</translation>
    </message>
    <message>
        <source>Target layer</source>
        <translation>Zielschicht</translation>
    </message>
    <message>
        <source>Target layer (%1)</source>
        <translation>Zielschicht (%1)</translation>
    </message>
    <message>
        <source>Source layer</source>
        <translation>Quellschicht</translation>
    </message>
    <message>
        <source>Source layer (%1)</source>
        <translation>Quellschicht (%1)</translation>
    </message>
    <message>
        <source>%1 with the %2</source>
        <translation>%1 mit %2</translation>
    </message>
    <message>
        <source>mapping path</source>
        <translation>Zuordnungspfad</translation>
    </message>
    <message>
        <source>Source layer %1 × target layer %2: %3 %4</source>
        <translation>Quellschicht %1 × Zielschicht %2: %3 %4</translation>
    </message>
    <message>
        <source> (on the mapping path)</source>
        <translation> (auf dem Zuordnungspfad)</translation>
    </message>
    <message>
        <source>No similarity measured yet.</source>
        <translation>Noch keine Ähnlichkeit gemessen.</translation>
    </message>
    <message>
        <source>Selected: %1</source>
        <translation>Gewählt: %1</translation>
    </message>
    <message>
        <source>Click a cell to choose that pair of layers; hover for the value; wheel to zoom.</source>
        <translation>Klicken Sie auf eine Zelle, um dieses Schichtpaar zu wählen; zeigen Sie darauf für den Wert; Mausrad zum Zoomen.</translation>
    </message>
    <message>
        <source>Run a measured comparison
to see how similar the layers are.</source>
        <translation>Starten Sie einen gemessenen Vergleich,
um zu sehen, wie ähnlich sich die Schichten sind.</translation>
    </message>
</context>
<context>
    <name>sb::SteeredComparisonJob</name>
    <message>
        <source>Generating column %1 of %2</source>
        <translation>Generiere Spalte %1 von %2</translation>
    </message>
    <message>
        <source>Scoring column %1 on the held-out pairs</source>
        <translation>Bewerte Spalte %1 auf den zurückgehaltenen Paaren</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
</context>
<context>
    <name>sb::SteeredComparisonView</name>
    <message>
        <source>&amp;Prompt:</source>
        <translation>&amp;Prompt:</translation>
    </message>
    <message>
        <source>Steering strength α: the vector is multiplied by α before it is added. Negative values steer towards the opposite concept.</source>
        <translation>Steuerungsstärke α: Der Vektor wird vor dem Addieren mit α multipliziert. Negative Werte steuern zum gegenteiligen Konzept.</translation>
    </message>
    <message>
        <source>Sampling seed: the same seed gives the same text in every column, so differences come from steering.</source>
        <translation>Startwert für das Sampling: Derselbe Startwert ergibt in jeder Spalte denselben Zufall, Unterschiede stammen also von der Steuerung.</translation>
    </message>
    <message>
        <source>Also steer the &amp;source model</source>
        <translation>Auch das &amp;Quellmodell steuern</translation>
    </message>
    <message>
        <source>S&amp;eed:</source>
        <translation>S&amp;tartwert:</translation>
    </message>
    <message>
        <source>&amp;New tokens:</source>
        <translation>&amp;Neue Tokens:</translation>
    </message>
    <message>
        <source>&amp;Generate</source>
        <translation>&amp;Generieren</translation>
    </message>
    <message>
        <source>Generate all columns (Ctrl+Return)</source>
        <translation>Alle Spalten generieren (Strg+Eingabe)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Stop generating</source>
        <translation>Generierung anhalten</translation>
    </message>
    <message>
        <source>Target, unsteered</source>
        <translation>Ziel, ungesteuert</translation>
    </message>
    <message>
        <source>Target + native vector</source>
        <translation>Ziel + eigener Vektor</translation>
    </message>
    <message>
        <source>Target + transferred vector</source>
        <translation>Ziel + übertragener Vektor</translation>
    </message>
    <message>
        <source>S&amp;trength α:</source>
        <translation>S&amp;tärke α:</translation>
    </message>
</context>
<context>
    <name>sb::SteeredGenerationJob</name>
    <message>
        <source>Unsteered</source>
        <translation>Ungesteuert</translation>
    </message>
    <message>
        <source>Steered</source>
        <translation>Gesteuert</translation>
    </message>
</context>
<context>
    <name>sb::TransferExtractionJob</name>
    <message>
        <source>Source: collecting activations</source>
        <translation>Quelle: sammle Aktivierungen</translation>
    </message>
    <message>
        <source>Target: collecting activations</source>
        <translation>Ziel: sammle Aktivierungen</translation>
    </message>
    <message>
        <source>Transferring the vector</source>
        <translation>Übertrage den Vektor</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
    <message>
        <source>The run produced no adapter.</source>
        <translation>Der Lauf hat keinen Adapter ergeben.</translation>
    </message>
    <message>
        <source>No vector has been extracted yet (Extraction tab).</source>
        <translation>Es wurde noch kein Vektor extrahiert (Reiter Extraktion).</translation>
    </message>
    <message>
        <source>The adapter maps %1 → %2; the extracted vectors are at %3 → %4.</source>
        <translation>Der Adapter bildet %1 → %2 ab; die extrahierten Vektoren liegen bei %3 → %4.</translation>
    </message>
    <message>
        <source>The adapter maps width %1 → %2; the vectors have %3 → %4.</source>
        <translation>Der Adapter bildet Breite %1 → %2 ab; die Vektoren haben %3 → %4.</translation>
    </message>
    <message>
        <source>adapted (trained %1 adapter)</source>
        <translation>angepasst (trainierter Adapter %1)</translation>
    </message>
    <message>
        <source>Brought into the target by the adapter trained in the Training tab: %1.</source>
        <translation>Mit dem im Reiter Training trainierten Adapter in das Ziel gebracht: %1.</translation>
    </message>
</context>
</TS>
