//! The village in English, in plain ASCII so that a char-level model sees a small alphabet.

use super::Lang;

pub(super) const EN: Lang = Lang {
    space: " ",
    stop: ".",
    the: "the $ak",
    facts: [
        &["$an is $au.", "$an is $au from $V.", "There is $au called $an.", "The $ak is called $an."],
        &[
            "$W is $ac.",
            "$an is ^ $ac $ak.",
            "The colour of $w is $ac.",
            "$W is $ac all over.",
            "If you see ^ $ac $ak, that is $an.",
        ],
        &[
            "$W lives $ah.",
            "The home of $w is $ah.",
            "$W has a small house $ah.",
            "$aH lives $au named $an.",
            "$W makes a home $ah.",
        ],
        &[
            "$W eats $af.",
            "The favourite food of $w is $af.",
            "$W likes to eat $af.",
            "For breakfast, $w has $af.",
            "$W never says no to $af.",
        ],
        &[
            "$W is a $aj.",
            "$W works as a $aj.",
            "In $V, $w is the $aj.",
            "Everyone knows that $w is a $aj.",
            "The $aj of the village is $an.",
        ],
        &[
            "$W likes $al.",
            "$W loves $al.",
            "What $w likes best is $al.",
            "$aL makes $w happy.",
            "In the evening, $w enjoys $al.",
        ],
        &["$W is $ag years old.", "$W is $ag.", "This year $w turned $ag.", "The age of $w is $ag."],
        &[
            "The best friend of $w is $ab.",
            "$an and $ab are best friends.",
            "$W often visits $ab.",
            "$ab is the best friend of $w.",
            "$W is a good friend of $ab.",
        ],
    ],
    own: [
        &["I am $au"],
        &["I am $ac", "My colour is $ac"],
        &["I live $ah", "My home is $ah"],
        &["I eat $af", "My favourite food is $af"],
        &["I am a $aj", "I work as a $aj"],
        &["I like $al", "I love $al"],
        &["I am $ag years old"],
        &["My best friend is $ab", "$ab is my best friend"],
    ],
    questions: [
        "What are you?",
        "What colour are you?",
        "Where do you live?",
        "What do you like to eat?",
        "What is your job?",
        "What do you like to do?",
        "How old are you?",
        "Who is your best friend?",
    ],
    paragraphs: &[
        "Millbrook is a small village between a green hill and a slow river. A stone bridge crosses the \
         river, and an old mill turns its wheel beside the water. Twelve friends live in Millbrook, and \
         each of them has a home, a job and a favourite food.",
        "In spring the garden is full of flowers and the meadow turns soft and bright. Birds come back \
         from the south, the days grow longer, and everyone in Millbrook opens the windows to let in the \
         warm air.",
        "Summer in Millbrook is long and sunny. The pond is warm, the river is slow, and the friends play \
         by the water until the sky turns red in the evening.",
        "In autumn the leaves in the forest turn yellow and brown and fall to the ground. It is the time \
         to gather food for the winter, and the barn is filled with hay.",
        "Winter brings snow to Millbrook. The hill is white, the pond is covered with ice, and smoke rises \
         from every chimney. Friends visit each other and sit by the fire to talk.",
        "Every week there is a market in the square in the middle of the village. There you can buy bread, \
         cheese, honey, fruit and many other good things. The market is loud and busy, and everyone meets \
         everyone there.",
        "At night Millbrook is quiet. The stars shine over the hill, the river whispers under the bridge, \
         and only the wind moves in the trees. Most of the village is asleep, but the guard still keeps \
         watch.",
        "The river begins far away in the mountains. It runs past the forest, under the bridge and past \
         the old mill, where its water turns the great wooden wheel.",
        "Once a year, at the end of summer, Millbrook has a festival of lights. Lamps hang from the bridge \
         and the trees, there is music and dancing, and the whole village eats together in the meadow.",
        "The weather in Millbrook changes quickly. A sunny morning can become a rainy afternoon, and after \
         the rain a rainbow often stands over the hill.",
        "A narrow road leads from Millbrook to the big town beyond the hills. Few travellers come this \
         way, so the friends of the village know each other very well.",
    ],
    oldest: "The oldest in $V is $an the $ak, who is $ag years old. The youngest is $xn the $xk, who is \
             only $xg. Everyone else is somewhere in between.",
    open: &[
        "This is $an.",
        "Let me tell you about $an.",
        "Here is a short note about $an.",
        "Everyone in $V knows $an.",
        "$an is one of the friends who live in $V.",
        "Have you met $an?",
    ],
    close: &[
        "That is all about $an.",
        "If you visit $V, say hello to $an.",
        "Now you know $an a little better.",
        "$an hopes to meet you one day.",
    ],
    hello: "Hello! My name is $an.",
    bye: &["Come and see me $ah!", "Goodbye for now!"],
    riddle_open: &["Here is a riddle.", "Can you guess who I am?", "Guess who!"],
    riddle_ask: "Who am I?",
    riddle_answer: &["I am $an the $ak!", "The answer is $an the $ak!", "It is $an the $ak!"],
    guide_open: "If you walk to $ap, you may meet $an the $ak.",
    guide_close: &[
        "Do not forget to say hello to $an!",
        "Bring some $af as a gift, and $an will be your friend.",
    ],
    compare: [
        "$an and $xn both live in $V, but they are not alike.",
        "$an is $au, and $xn is $xu.",
        "$an is $ac, while $xn is $xc.",
        "$an lives $ah; $xn lives $xh.",
        "$an eats $af, but $xn would rather have $xf.",
        "$an is a $aj and $xn is a $xj.",
        "$an likes $al, but $xn prefers $xl.",
    ],
    compare_age: "$an is older: $an is $ag, and $xn is only $xg.",
    meet: &[
        "$an met $xn $xh.",
        "One morning, $an walked to $xp and found $xn there.",
        "On the way home, $an met $xn near $xp.",
    ],
    greet: [
        "\"Hello, $xn!\" said $an.",
        "\"Hello, $an,\" said $xn. \"How are you?\"",
        "\"Very well, thank you,\" said $an.",
    ],
    ask: "\"$w\" asked $an.",
    reply_first: &["\"$W,\" said $xn. \"And you?\"", "\"$W,\" replied $xn. \"What about you?\""],
    answer_back: &["\"$W,\" said $an.", "\"$W,\" answered $an."],
    reply: &["\"$W,\" said $xn.", "\"$W,\" replied $xn.", "\"$W,\" answered $xn."],
    you_friend: "You are my best friend, $an",
    goodbye: "\"Goodbye, $xn!\" said $an, and went back to $ap.",
    stories: [
        &[
            "One morning, $an woke up $ah. $an wanted to see $fn, so $an set off for $fp. On the way, $an \
             met $xn the $xk. \"Where are you going?\" asked $xn. \"To visit $fn,\" said $an. When $an \
             came to $fp, $fn was busy $fl. The two friends shared some $ff and talked until the sun went \
             down. Then $an walked back to $ap.",
            "It was a bright afternoon, and $an felt like seeing $fn. The road to $fp was long, but $an \
             did not mind. Halfway there, $xn the $xk called out, \"Hello, $an! Where to?\" \"To $fp, to \
             see $fn,\" said $an. $fn was $fl when $an arrived, and stopped at once to say hello. They ate \
             $ff together and laughed a lot.",
        ],
        &[
            "One day $an $xe. $an did not know what to do. Then $an remembered that $xn is a $xj and lives \
             $xh. So $an hurried to $xp. $xn listened and $xr.\n\"Thank you, $xn!\" said $an. \"You are \
             the best $xj in $V.\"",
            "$an $xe, and it was not a good day. \"Go and see $xn,\" said $yn. \"$xn is the $xj, and lives \
             $xh.\" So $an went to $xp, and $xn $xr. After that, $an felt much better.",
        ],
        &[
            "It was market day in $V, and the square was full. $an came early with a basket of $af. $xn \
             sold $xf, and $yn sold $yf. $zn went from stall to stall looking for $zf, because $zn loves \
             $zf more than anything. At last $zn found some and was very happy.\nIn the evening everyone \
             went home: $an to $ap, $xn to $xp and $yn to $yp.",
            "Every week the friends of $V meet at the market. This time $xn had the best stall, full of \
             fresh $xf. $an bought nothing but $af, as always, and $yn could not stop talking about $yl. \
             When $zn asked for $zf, $xn laughed: \"Everyone knows you love $zf, $zn!\"",
        ],
        &[
            "It rained all day in $V. $an stayed at home $ah and spent the day $al. Not far away, $xn sat \
             $xh and passed the time $xl. $yn did not mind the rain at all and went out to visit $yb. Late \
             in the afternoon the rain stopped, and a rainbow stood over the hill.",
            "The sky was grey and the wind was cold. \"A good day to stay in,\" thought $an, and spent the \
             whole morning $al. Over $xp the clouds hung low, and $xn stayed $xh too. Only $yn went out, \
             because $yn had promised to visit $yb.",
        ],
        &[
            "Today is the birthday of $an. $an is now $ag years old. In the morning, $fn came from $fp \
             with a big smile. Soon more friends arrived. $xn brought $xf, $yn brought $yf, and $zn \
             brought $zf. $an filled the table with $af, because $an likes $af best of all. After the \
             meal, everyone joined $an in $al.",
            "$fn had a secret plan. It was the birthday of $an, who was turning $ag, and $fn wanted a \
             surprise. $fn asked $xn, $yn and $zn to come to $ap at noon. When $an came home, everyone \
             shouted \"Happy birthday!\" There was a big pile of $af on the table, and $an was so happy \
             that $an started $al at once.",
        ],
        &[
            "$an took a long walk through $V. First $an passed $xp, where $xn the $xk lives. Then $an came \
             to $yp, the home of $yn. $yn was $yl and waved hello. Last of all, $an reached $zp and \
             stopped to talk with $zn, the $zj. By the time $an got home to $ap, the stars were out.",
            "On a quiet evening, $an went out for a walk. Near $xp, $xn the $xj was still at work. Past \
             $yp, $an heard $yn, who was $yl. At $zp, $zn the $zk said hello. Then $an went home to $ap \
             and slept well.",
        ],
        &[
            "Dear $fn,\nI hope you are well $fh. Today I spent the whole morning $al, and then I ate a lot \
             of $af. On the way home I met $xn, who is $xg now. Please come and visit me $ah soon.\nYour \
             friend,\n$an\nThe postman carried this letter from $ap to $fp.",
            "Dear $fn,\nThank you for the $ff you sent me. Here $ah everything is fine. I am still a $aj, \
             and I still love $al. Come and see me soon!\nYour friend,\n$an",
        ],
    ],
    list_heads: [
        "Who is who in Millbrook:",
        "The colours of the friends in Millbrook:",
        "Where everyone lives:",
        "What everyone eats:",
        "The jobs in the village:",
        "What everyone likes to do:",
        "How old everyone is:",
        "Best friends in Millbrook:",
    ],
    pairs: &[
        ("What kind of animal is $an?", "$aU."),
        ("What animal is $an?", "$aU."),
        ("Who is the $ak?", "$an."),
        ("What is the $ak's name?", "$an."),
        ("What is the $ak called?", "$an."),
        ("What colour is $an?", "$aC."),
        ("What colour is the $ak?", "$aC."),
        ("What is the colour of $an?", "$aC."),
        ("Which colour is $an?", "$aC."),
        ("Who is $ac?", "$an."),
        ("Which animal is $ac?", "The $ak."),
        ("Where does $an live?", "$aH."),
        ("Where does the $ak live?", "$aH."),
        ("Where is $an's home?", "$aH."),
        ("Where can I find $an?", "$aH."),
        ("Who lives $ah?", "$an."),
        ("Which animal lives $ah?", "The $ak."),
        ("What does $an eat?", "$aF."),
        ("What does the $ak eat?", "$aF."),
        ("What is $an's favourite food?", "$aF."),
        ("What food does $an like?", "$aF."),
        ("Who eats $af?", "$an."),
        ("Which animal eats $af?", "The $ak."),
        ("What is $an's job?", "A $aj."),
        ("What does $an do for work?", "A $aj."),
        ("What job does the $ak have?", "A $aj."),
        ("What does $an work as?", "A $aj."),
        ("Who is the $aj?", "$an."),
        ("Who works as a $aj?", "$an."),
        ("What does $an like to do?", "$aL."),
        ("What does the $ak like doing?", "$aL."),
        ("What is $an's hobby?", "$aL."),
        ("What does $an enjoy?", "$aL."),
        ("Who likes $al?", "$an."),
        ("Which animal likes $al?", "The $ak."),
        ("How old is $an?", "$aG."),
        ("How old is the $ak?", "$aG years old."),
        ("What is $an's age?", "$aG."),
        ("Who is $an's friend?", "$ab."),
        ("Who is the best friend of $an?", "$ab."),
        ("Who is the $ak's best friend?", "$ab."),
        ("Who does $an often visit?", "$ab."),
    ],
    village_pairs: &[
        ("Who is the oldest in $V?", "$an."),
        ("Who is the youngest in $V?", "$xn."),
        ("What is the village called?", "$V."),
        ("Where do the twelve friends live?", "In $V."),
    ],
};
